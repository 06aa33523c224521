import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { TaskState } from '../../src/index.js';
import { POSTMAN_STATES, type PostmanStatus, postman } from '../../src/vendors/postman/index.js';
import { describeConformance, type Json, type JsonPath } from './harness.js';
import { responseExamples, responseSchema, schemaRef, specDocument } from './spec.js';

const document = specDocument('postman', 'task-schemas.extract.json');
const others = specDocument('postman', 'other-task-schemas.extract.json');
const schemas = document.components.schemas as Record<string, { properties: { status: { enum: string[] } } }>;

const fixture = (name: string): Json =>
  JSON.parse(readFileSync(new URL(`../fixtures/postman/${name}.json`, import.meta.url), 'utf8'));

/** The documented state of the status at `path`; a payload without one is `unknown` (every field is optional). */
const stateAt =
  (path: JsonPath) =>
  (payload: Json): TaskState[] => {
    const status = path.reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], payload);
    return status === undefined ? ['unknown'] : [POSTMAN_STATES[status as PostmanStatus]];
  };

describe('postman task statuses', () => {
  it.each(['getStatusOfAnAsyncApiTask', 'getCollectionUpdatesTasks'])('each %s status has a state', (model) => {
    const statuses = schemas[model]?.properties.status.enum ?? [];
    expect(statuses.length).toBe(3);
    for (const status of statuses) {
      expect(postman.statuses).toContain(status);
      expect(POSTMAN_STATES[status as PostmanStatus]).not.toBe('unknown');
    }
  });
});

// The API task's `details` is anyOf two open objects: each branch lets the other's key through
// with any value. These are such payloads, valid, and to be kept as sent.
const OPEN_DETAILS: Json[] = [
  { error: 'boom' },
  { error: ['a'] },
  { resources: [{ id: 'c1' }], error: { message: 'half done' } },
  { resources: 'none', error: { message: 'failed' } },
  { error: { message: 'x' }, resources: [{ id: 7 }] },
];

describeConformance({
  type: 'task',
  vendor: postman,
  name: 'getStatusOfAnAsyncApiTask (GET /apis/{apiId}/tasks/{taskId})',
  document,
  schema: schemaRef('getStatusOfAnAsyncApiTask'),
  examples: [
    fixture('api-task-failed-invalid-schema'),
    fixture('constructed-api-task-completed'),
    fixture('constructed-api-task-pending'),
    ...OPEN_DETAILS.map((details) => ({ id: 'task-open', status: 'failed', details })),
  ],
  count: 50,
  seed: 0x706d6170,
  kind: 'api-task',
  ref: { apiId: 'api-1', taskId: 'task-1' },
  path: '/apis/api-1/tasks/task-1',
  refId: 'task-1',
  statusAt: ['status'],
  idAt: ['id'],
  states: stateAt(['status']),
});

describeConformance({
  type: 'task',
  vendor: postman,
  name: 'getCollectionUpdatesTasks (GET /collection-updates-tasks/{taskId})',
  document,
  schema: responseSchema(document, '/collection-updates-tasks/{taskId}'),
  examples: ['successful', 'in-progress', 'failed'].map((s) => fixture(`collection-update-${s}`)),
  count: 20,
  seed: 0x706d6375,
  kind: 'collection-update',
  ref: { kind: 'collection-update', taskId: 'task-1' },
  path: '/collection-updates-tasks/task-1',
  refId: 'task-1',
  statusAt: ['status'],
  idAt: ['id'],
  states: stateAt(['status']),
});

describeConformance({
  type: 'task',
  vendor: postman,
  name: 'asyncMergePullCollectionTaskStatus (GET /collection-merges-tasks/{taskId})',
  document: others,
  schema: responseSchema(others, '/collection-merges-tasks/{taskId}'),
  examples: [
    ...responseExamples(others, '/collection-merges-tasks/{taskId}'),
    fixture('constructed-collection-merge-failed'),
    fixture('constructed-collection-merge-successful'),
  ],
  count: 25,
  seed: 0x706d6d67,
  kind: 'collection-merge',
  ref: { kind: 'collection-merge', taskId: 'task-1' },
  path: '/collection-merges-tasks/task-1',
  refId: 'task-1',
  statusAt: ['status'],
  idAt: ['id'],
  states: stateAt(['status']),
});

describeConformance({
  type: 'task',
  vendor: postman,
  name: 'duplicateCollectionResponse (GET /collection-duplicate-tasks/{taskId})',
  document: others,
  schema: responseSchema(others, '/collection-duplicate-tasks/{taskId}'),
  examples: [
    ...responseExamples(others, '/collection-duplicate-tasks/{taskId}'),
    fixture('constructed-collection-duplicate-failed'),
    fixture('constructed-collection-duplicate-processing'),
  ],
  count: 25,
  seed: 0x706d6470,
  kind: 'collection-duplicate',
  ref: { kind: 'collection-duplicate', taskId: 'task-1' },
  path: '/collection-duplicate-tasks/task-1',
  refId: 'task-1',
  statusAt: ['task', 'status'],
  idAt: ['task', 'id'],
  states: stateAt(['task', 'status']),
});

// An element task in the "Async Task Failed" form (details is the error text) only ever means
// failure, whatever its status says or doesn't.
function elementStates(payload: Json): TaskState[] {
  const { status, details } = payload as { status?: PostmanStatus; details?: unknown };
  if (typeof details === 'string' && status === undefined) return ['failed'];
  return status === undefined ? ['unknown'] : [POSTMAN_STATES[status]];
}

describeConformance({
  type: 'task',
  vendor: postman,
  name: 'getAsyncTaskStatus | getAsyncTaskStatusFailed (GET /{elementType}/{elementId}/tasks/{taskId})',
  document: others,
  schema: responseSchema(others, '/{elementType}/{elementId}/tasks/{taskId}'),
  examples: [
    ...responseExamples(others, '/{elementType}/{elementId}/tasks/{taskId}'),
    fixture('constructed-element-task-completed'),
    fixture('constructed-element-task-failed'),
  ],
  count: 30,
  seed: 0x706d656c,
  kind: 'element-task',
  ref: { elementType: 'specs', elementId: 'spec-1', taskId: 'task-1' },
  path: '/specs/spec-1/tasks/task-1',
  refId: 'task-1',
  statusAt: ['status'],
  idAt: ['id'],
  states: elementStates,
});
