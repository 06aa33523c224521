// The same specs, checked another way: a loopback server (the testing kit's startFakeServer)
// answers with payloads sampled from the published schemas, and real `wait()`s and list walks run
// through createClient against it, over HTTP. A wait sees two payloads whose status is not
// terminal, then one whose status is; a walk sees sampled items paged the vendor's way. None may
// end in anything but its snapshot (or the TaskFailedError of a failed or canceled one).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AnyVendor,
  createClient,
  isTerminal,
  ResponseValidationError,
  TaskFailedError,
  type TaskSnapshot,
  type TaskState,
} from '../../src/index.js';
import {
  anaplanFake,
  type FakeRoute,
  type FakeServer,
  mixpeekFake,
  postmanFake,
  startFakeServer,
  type VendorFake,
} from '../../src/testing/server.js';
import { ANAPLAN_STATES, anaplan } from '../../src/vendors/anaplan/index.js';
import { MIXPEEK_STATES, mixpeek } from '../../src/vendors/mixpeek/index.js';
import { POSTMAN_STATES, postman } from '../../src/vendors/postman/index.js';
import {
  conforms,
  type Json,
  type JsonSchema,
  responseSchema,
  type SpecDocument,
  sample,
  schemaRef,
  specDocument,
} from './spec.js';

const integration = specDocument('anaplan', 'integration-task-schemas.extract.json');
const alm = specDocument('anaplan', 'alm-task-schemas.extract.json');
const mixpeekSpec = specDocument('mixpeek', 'task-schemas.extract.json');
const postmanSpec = specDocument('postman', 'task-schemas.extract.json');
const postmanOthers = specDocument('postman', 'other-task-schemas.extract.json');

const WAITS = 6;
const FAST = { minDelayMs: 1, maxDelayMs: 1, jitter: 0, timeoutMs: 10_000 };

/** A task resource served from its spec. */
interface Served {
  name: string;
  vendor: AnyVendor;
  fake: VendorFake;
  document: SpecDocument;
  schema: JsonSchema;
  /** The route below the server's root, with `:taskId`. */
  path: string;
  ref(taskId: string): unknown;
  /** The raw status of a payload, where the vendor documents it. */
  status(payload: Json): unknown;
  /** The documented state of each documented status. */
  states: Record<string, TaskState>;
  /** Whether a payload ends the task otherwise than by its status. */
  endsAnyway?(payload: Json): boolean;
  seed: number;
}

const at =
  (...path: string[]) =>
  (payload: Json): unknown =>
    path.reduce<unknown>((node, key) => (node as Record<string, unknown> | null | undefined)?.[key], payload);

const bulk = (kind: 'imports' | 'processes', actionId: string, seed: number): Served => ({
  name: `Anaplan ${kind} task`,
  vendor: anaplan,
  fake: anaplanFake,
  document: integration,
  schema: responseSchema(
    integration,
    `/workspaces/{workspaceId}/models/{modelId}/${kind}/{${kind === 'imports' ? 'importId' : 'processId'}}/tasks/{taskId}`,
  ),
  path: `/workspaces/WS/models/M/${kind}/${actionId}/tasks/:taskId`,
  ref: (taskId) => ({ workspaceId: 'WS', modelId: 'M', actionId, taskId }),
  status: at('task', 'taskState'),
  states: ANAPLAN_STATES,
  seed,
});

const almTask = (kind: 'syncTasks' | 'summaryReportTasks', seed: number): Served => ({
  name: `Anaplan ${kind}`,
  vendor: anaplan,
  fake: anaplanFake,
  document: alm,
  schema: schemaRef(kind === 'syncTasks' ? 'SyncTaskResponse' : 'ReportTaskResponse'),
  path: `/models/M/alm/${kind}/:taskId`,
  ref: (taskId) => ({ modelId: 'M', kind, taskId }),
  status: at('task', 'taskState'),
  states: ANAPLAN_STATES,
  seed,
});

const SERVED: Served[] = [
  bulk('imports', '112000000001', 0x6d730001),
  bulk('processes', '118000000001', 0x6d730002),
  almTask('syncTasks', 0x6d730003),
  almTask('summaryReportTasks', 0x6d730004),
  {
    name: 'Mixpeek task',
    vendor: mixpeek,
    fake: mixpeekFake,
    document: mixpeekSpec,
    schema: schemaRef('TaskResponse'),
    path: '/v1/tasks/:taskId',
    ref: (taskId) => taskId,
    status: at('status'),
    states: MIXPEEK_STATES,
    seed: 0x6d730005,
  },
  {
    name: 'Postman API task',
    vendor: postman,
    fake: postmanFake,
    document: postmanSpec,
    schema: schemaRef('getStatusOfAnAsyncApiTask'),
    path: '/apis/A1/tasks/:taskId',
    ref: (taskId) => ({ apiId: 'A1', taskId }),
    status: at('status'),
    states: POSTMAN_STATES,
    seed: 0x6d730006,
  },
  {
    name: 'Postman element task',
    vendor: postman,
    fake: postmanFake,
    document: postmanOthers,
    schema: responseSchema(postmanOthers, '/{elementType}/{elementId}/tasks/{taskId}'),
    path: '/specs/S1/tasks/:taskId',
    ref: (taskId) => ({ elementType: 'specs', elementId: 'S1', taskId }),
    status: at('status'),
    states: POSTMAN_STATES,
    // "Async Task Failed": details is the error text, and it only ever means failure.
    endsAnyway: (payload) => typeof at('details')(payload) === 'string',
    seed: 0x6d730007,
  },
];

const terminal = (s: Served, payload: Json) => {
  const status = s.status(payload);
  if (typeof status === 'string' && Object.hasOwn(s.states, status)) return isTerminal(s.states[status] as TaskState);
  return s.endsAnyway?.(payload) ?? false;
};

/** Each task id's payloads, one per poll; the last repeats. */
function lifecycles(s: Served): Map<string, Json[]> {
  const payloads = sample(s.document, s.schema, 120, s.seed);
  const done = payloads.filter((p) => terminal(s, p));
  const going = payloads.filter((p) => !terminal(s, p));
  const out = new Map<string, Json[]>();
  for (let i = 0; i < WAITS; i++) {
    const next = (list: Json[], n: number) => list[n % list.length] as Json;
    out.set(`task-${i}`, [next(going, 2 * i), next(going, 2 * i + 1), next(done, i)]);
  }
  return out;
}

function taskRoute(s: Served, bodies: Map<string, Json[]>): FakeRoute {
  const polls = new Map<string, number>();
  return {
    fake: s.fake,
    method: 'GET',
    path: s.path,
    respond: ({ params }) => {
      const list = bodies.get(params.taskId as string) ?? [];
      const n = Math.min((polls.get(params.taskId as string) ?? 0) + 1, list.length);
      polls.set(params.taskId as string, n);
      return { headers: { 'content-type': 'application/json' }, body: JSON.stringify(list[n - 1] ?? {}) };
    },
  };
}

const json = (body: unknown) => ({ headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

/** Sampled list items, from pages sampled by the spec, in order. */
function itemsOf(document: SpecDocument, schema: JsonSchema, key: string, seed: number): Json[] {
  return sample(document, schema, 12, seed).flatMap((page) => (page as Record<string, Json[] | undefined>)[key] ?? []);
}

describe('against loopback servers that serve the specs', () => {
  const lives = new Map(SERVED.map((s) => [s, lifecycles(s)]));
  const processItems = itemsOf(
    integration,
    responseSchema(integration, '/workspaces/{workspaceId}/models/{modelId}/processes/{processId}/tasks'),
    'tasks',
    0x6d730010,
  );
  const syncItems = itemsOf(alm, schemaRef('SyncTaskListResponse'), 'tasks', 0x6d730011);
  const mixpeekItems = itemsOf(mixpeekSpec, schemaRef('ListTasksResponse'), 'results', 0x6d730012);
  let server: FakeServer;

  // Offset paging as Anaplan's `meta.paging` has it, `limit` items a page.
  const anaplanPages = (path: string, items: Json[]): FakeRoute => ({
    fake: anaplanFake,
    method: 'GET',
    path,
    respond: ({ url }) => {
      const offset = Number(url.searchParams.get('offset') ?? 0);
      const limit = Number(url.searchParams.get('limit') ?? 5000);
      const page = items.slice(offset, offset + limit);
      const paging = { currentPageSize: page.length, offset, totalSize: items.length };
      return json({ meta: { schema: 'https://api.anaplan.com/2/0/objects/task', paging }, tasks: page });
    },
  });

  beforeAll(async () => {
    server = await startFakeServer({
      routes: [
        ...SERVED.map((s) => taskRoute(s, lives.get(s) as Map<string, Json[]>)),
        anaplanPages('/workspaces/WS/models/M/processes/118000000009/tasks', processItems),
        anaplanPages('/models/M/alm/syncTasks', syncItems),
        {
          fake: mixpeekFake,
          method: 'POST',
          path: '/v1/tasks/list',
          // Cursor paging: the cursor is the offset of the next page, 4 tasks a page.
          respond: ({ url }) => {
            const offset = Number(url.searchParams.get('cursor') ?? 0);
            const next = offset + 4 < mixpeekItems.length ? String(offset + 4) : null;
            return json({ results: mixpeekItems.slice(offset, offset + 4), pagination: { next_cursor: next } });
          },
        },
      ],
    });
  });
  afterAll(async () => {
    await server.close();
    const served = SERVED.map((s) => s.name).join(', ');
    console.info(
      `mock servers: ${WAITS} waits of 3 polls each for ${served} (${SERVED.length * WAITS} waits, ` +
        `${server.requests.length} requests); list walks over ${processItems.length} Anaplan process tasks, ` +
        `${syncItems.length} ALM sync tasks and ${mixpeekItems.length} Mixpeek tasks, all sampled from the specs`,
    );
  });

  it('the sampled lifecycles and list items are valid under their schemas', () => {
    for (const s of SERVED) {
      const bodies = [...(lives.get(s)?.values() ?? [])].flat();
      expect(bodies).toHaveLength(3 * WAITS);
      expect(bodies.filter((b) => !conforms(s.document, s.schema, b))).toEqual([]);
    }
    expect(processItems.length).toBeGreaterThan(10);
    expect(syncItems.length).toBeGreaterThan(10);
    expect(mixpeekItems.length).toBeGreaterThan(10);
  });

  it.each(SERVED.map((s) => [s.name, s] as const))(
    '%s: every wait() ends in its terminal snapshot after three polls',
    async (_, s) => {
      const client = createClient(s.vendor, {
        baseUrl: server.url,
        token: 'mock-token',
        wait: FAST,
        retry: { retries: 0 },
      });
      for (const [taskId, bodies] of lives.get(s) ?? []) {
        const ended = await client.wait(s.ref(taskId) as never).catch((error: unknown) => error);
        if (
          ended instanceof ResponseValidationError ||
          (ended instanceof Error && !(ended instanceof TaskFailedError))
        ) {
          throw new Error(`${s.name} ${taskId}: ${(ended as Error).message}\n${JSON.stringify(bodies)}`);
        }
        const snapshot = ended instanceof TaskFailedError ? ended.snapshot : (ended as TaskSnapshot);
        expect(snapshot.terminal).toBe(true);
        expect(snapshot.raw).toEqual(bodies[2]);
        const status = s.status(bodies[2] as Json);
        expect(snapshot.rawStatus).toBe(typeof status === 'string' ? status : '');
      }
      const asked = server.requests.filter((r) => r.path.startsWith(s.path.replace(':taskId', 'task-')));
      expect(asked).toHaveLength(3 * WAITS);
    },
  );

  it('Anaplan: a walk over sampled task list items yields each of them, in order', async () => {
    const client = createClient(anaplan, { baseUrl: server.url, token: 'mock-token', retry: { retries: 0 } });
    const action = { workspaceId: 'WS', modelId: 'M', actionId: '118000000009' };
    expect(await client.tasks(action, { limit: 5 }).toArray({ limit: Infinity })).toEqual(processItems);
    expect(await client.almTasks({ modelId: 'M' }, { limit: 4 }).toArray({ limit: Infinity })).toEqual(syncItems);
  });

  it('Mixpeek: a walk over sampled task list results yields each of them, in order', async () => {
    const client = createClient(mixpeek, { baseUrl: server.url, token: 'mock-token', retry: { retries: 0 } });
    expect(await client.tasks({}).toArray({ limit: Infinity })).toEqual(mixpeekItems);
  });
});
