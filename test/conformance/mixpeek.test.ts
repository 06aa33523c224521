import { describe, expect, it } from 'vitest';
import { MIXPEEK_STATES, mixpeek } from '../../src/vendors/mixpeek/index.js';
import {
  describeConformance,
  type Json,
  type JsonSchema,
  type ModelCase,
  schemaRef,
  specDocument,
} from './legacy-harness.js';

const document = specDocument('mixpeek', 'task-schemas.extract.json');
const schemas = document.components.schemas as Record<string, { enum?: string[]; examples?: Json[] }>;

type Status = keyof typeof MIXPEEK_STATES;

// The statuses whose documented meaning is no task state: UNKNOWN ("status could not be
// determined"), and ACTIVE and ARCHIVED, entity-lifecycle values that share the enum and say
// nothing of a task's outcome. Every other value has a state.
const NO_STATE = ['UNKNOWN', 'ACTIVE', 'ARCHIVED'];

describe('mixpeek TaskStatusEnum', () => {
  it('the schema enum is the adapter status list, and each value has its documented state', () => {
    expect([...mixpeek.statuses].sort()).toEqual([...(schemas.TaskStatusEnum?.enum ?? [])].sort());
    for (const status of mixpeek.statuses) {
      const state = MIXPEEK_STATES[status as Status];
      if (NO_STATE.includes(status)) expect(state).toBe('unknown');
      else expect(state).not.toBe('unknown');
    }
  });
});

const nullable = (schema: JsonSchema): JsonSchema => ({ anyOf: [schema, { type: 'null' }] });
const ids = nullable({ type: 'array', items: { type: 'string' } });

const taskResponse: ModelCase = {
  vendor: mixpeek,
  specModel: 'TaskResponse',
  model: 'TaskResponse',
  kind: 'task',
  document,
  schema: schemaRef('TaskResponse'),
  narrowing: {
    properties: {
      additional_data: {
        description:
          'A free-form object in the schema, but its description and examples type the documented keys: ids and texts are strings, tiers and counts integers, from_mongodb a boolean, each nullable. The adapter keeps those types.',
        anyOf: [
          { type: 'null' },
          {
            type: 'object',
            properties: {
              error: { description: 'text, or "the full error details"', type: ['string', 'object', 'null'] },
              job_id: { type: ['string', 'null'] },
              from_mongodb: { type: ['boolean', 'null'] },
              batch_id: { type: ['string', 'null'] },
              bucket_id: { type: ['string', 'null'] },
              namespace_id: { type: ['string', 'null'] },
              current_tier: { type: ['integer', 'null'] },
              total_tiers: { type: ['integer', 'null'] },
              object_count: { type: ['integer', 'null'] },
              collection_ids: ids,
              sample_object_ids: ids,
            },
          },
        ],
      },
    },
  },
  ref: 'task_conformance',
  path: '/v1/tasks/task_conformance',
  refId: 'task_conformance',
  statusAt: ['status'],
  idAt: ['task_id'],
  // `status` is required: every payload has a documented state.
  states: (payload) => [MIXPEEK_STATES[(payload as { status: Status }).status]],
  openEnums: ['task_type'],
};

describeConformance(taskResponse, { count: 400, seed: 0x6d697870, examples: schemas.TaskResponse?.examples });
