import { describe, expect, it } from 'vitest';
import { POSTMAN_STATES, type PostmanStatus, postman } from '../../src/vendors/postman/index.js';
import { describeConformance, fixture, type Json, type ModelCase, schemaRef, specDocument } from './legacy-harness.js';

const document = specDocument('postman', 'task-schemas.extract.json');
const schemas = document.components.schemas as Record<string, { properties: { status: { enum: string[] } } }>;

/** The documented state of a payload's status; a payload without one is `unknown` (every field is optional). */
const stateOf = (payload: Json) => {
  const status = (payload as { status?: string }).status;
  return status === undefined ? ['unknown' as const] : [POSTMAN_STATES[status as PostmanStatus]];
};

describe('postman task statuses', () => {
  it.each(['getStatusOfAnAsyncApiTask', 'getCollectionUpdatesTasks'])('each %s status has a state', (model) => {
    for (const status of schemas[model]?.properties.status.enum ?? []) {
      expect(postman.statuses).toContain(status);
      expect(POSTMAN_STATES[status as PostmanStatus]).not.toBe('unknown');
    }
  });
});

const apiTask: ModelCase = {
  vendor: postman,
  specModel: 'getStatusOfAnAsyncApiTask',
  model: 'GetStatusOfAnAsyncTask',
  kind: 'api-task',
  document,
  schema: schemaRef('getStatusOfAnAsyncApiTask'),
  ref: { apiId: 'api-1', taskId: 'task-1' },
  path: '/apis/api-1/tasks/task-1',
  refId: 'task-1',
  statusAt: ['status'],
  idAt: ['id'],
  states: stateOf,
  openEnums: ['meta.model', 'meta.action'],
  narrowing: {
    properties: {
      details: {
        description:
          'details is "Task Resources" or "Task Error Information", two open objects: a wrong `error` passes the schema through the resources branch, which does not name it, and a wrong `resources` through the error branch. The adapter checks each key against the branch that documents it.',
        anyOf: [
          {
            not: { required: ['error'] },
            properties: {
              resources: {
                type: 'array',
                items: { type: 'object', properties: { id: { type: 'string' }, url: { type: 'string' } } },
              },
            },
          },
          {
            not: { required: ['resources'] },
            properties: { error: { type: 'object', properties: { message: { type: 'string' } } } },
          },
        ],
      },
    },
  },
};

const collectionUpdate: ModelCase = {
  vendor: postman,
  specModel: 'getCollectionUpdatesTasks',
  model: 'GetCollectionUpdatesTasks',
  kind: 'collection-update',
  document,
  schema: schemaRef('getCollectionUpdatesTasks'),
  ref: { kind: 'collection-update', taskId: 'task-1' },
  path: '/collection-updates-tasks/task-1',
  refId: 'task-1',
  statusAt: ['status'],
  idAt: ['id'],
  states: stateOf,
};

describeConformance(apiTask, {
  count: 400,
  seed: 0x706d6170,
  examples: [fixture('postman', 'api-task-failed-invalid-schema.json')],
});

describeConformance(collectionUpdate, {
  count: 300,
  seed: 0x706d6375,
  examples: ['successful', 'in-progress', 'failed'].map((s) => fixture('postman', `collection-update-${s}.json`)),
});
