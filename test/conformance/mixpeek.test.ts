import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MIXPEEK_STATES, mixpeek } from '../../src/vendors/mixpeek/index.js';
import { describeConformance, type Json } from './harness.js';
import { schemaRef, specDocument } from './spec.js';

const document = specDocument('mixpeek', 'task-schemas.extract.json');
const schemas = document.components.schemas as Record<string, { enum?: string[]; examples?: Json[] }>;

const fixture = (name: string): Json =>
  JSON.parse(readFileSync(new URL(`../fixtures/mixpeek/${name}.json`, import.meta.url), 'utf8'));

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

// `additional_data` is a free-form object in the schema; its description types the documented
// keys in prose. These are the shapes the issue saw fail: valid, and to be read or ignored.
const ADDITIONAL_DATA_SHAPES: Json[] = [
  { current_tier: '1', total_tiers: 3 },
  { job_id: 123 },
  { error: ['a'] },
  { error: { code: 7 } },
  { collection_ids: 'col_1', object_count: '10', from_mongodb: 'yes' },
];

const examples = [
  ...(schemas.TaskResponse?.examples ?? []),
  ...['completed-cluster-build', 'completed-from-mongodb-fallback', 'constructed-completed-with-errors'].map(fixture),
  ...['constructed-failed-error-message', 'failed-object-create-additional-data-error'].map(fixture),
  fixture('in-progress-batch-tier-1-of-3'),
];

describeConformance({
  type: 'task',
  vendor: mixpeek,
  name: 'TaskResponse (GET /v1/tasks/{task_id})',
  document,
  schema: schemaRef('TaskResponse'),
  examples: [
    ...examples,
    ...ADDITIONAL_DATA_SHAPES.map((additional_data) => ({
      task_id: 'task_shapes',
      task_type: 'api_buckets_batches_process',
      status: 'FAILED',
      additional_data,
    })),
  ],
  count: 50,
  seed: 0x6d697870,
  kind: 'task',
  ref: 'task_conformance',
  path: '/v1/tasks/task_conformance',
  refId: 'task_conformance',
  statusAt: ['status'],
  idAt: ['task_id'],
  // `status` is required: every valid payload has a documented state.
  states: (payload) => [MIXPEEK_STATES[(payload as { status: Status }).status]],
});

describeConformance({
  type: 'list',
  vendor: mixpeek,
  name: 'ListTasksResponse (POST /v1/tasks/list)',
  document,
  schema: schemaRef('ListTasksResponse'),
  examples: [fixture('constructed-list-tasks-page')],
  count: 20,
  seed: 0x6d69786c,
  path: '/v1/tasks/list',
  walk: (client) => client.tasks({}, { prefetch: 0 }),
  items: (payload) => (payload as { results: Json[] }).results,
  after: () => ({ results: [], pagination: { next_cursor: null } }),
});
