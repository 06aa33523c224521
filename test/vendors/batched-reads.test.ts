// The vendors' batched reads, against the testing kit's task lists (msw, the vendors' real URLs).
import { describe, expect, it } from 'vitest';
import { createClient, type TaskSnapshot } from '../../src/index.js';
import {
  anaplanFake,
  anaplanTaskList,
  fakeTask,
  softwareOneFake,
  softwareOneTaskList,
  taskwaitHandlers,
} from '../../src/testing/index.js';
import { anaplan } from '../../src/vendors/anaplan/index.js';
import { softwareOne } from '../../src/vendors/softwareone/index.js';
import { useMsw } from '../helpers/server.js';

const server = useMsw();
const FAST = { minDelayMs: 5, maxDelayMs: 5, jitter: 0, estimate: false };
const tsk = (n: number) => `TSK-0000-0000-0000-${String(n).padStart(4, '0')}`;

/** The paths (and queries) of every request msw sees until `stop()`. */
function recordPaths() {
  const paths: string[] = [];
  const listener = ({ request }: { request: Request }) => {
    const url = new URL(request.url);
    paths.push(decodeURIComponent(url.pathname + url.search));
  };
  server.events.on('request:start', listener);
  return { paths, stop: () => server.events.removeListener('request:start', listener) };
}

describe('SoftwareOne: the task list filtered by RQL in(id,(…))', () => {
  it('reads 150 waits in lists of at most 100 quoted ids, and the one left out with its own GET', async () => {
    const tasks = Array.from({ length: 150 }, (_, i) =>
      fakeTask(softwareOneFake, {
        id: tsk(i),
        queuedPolls: 1,
        progress: [0.5],
        outcome: i === 7 ? 'failed' : 'succeeded',
      }),
    );
    const seen: string[] = [];
    const log = recordPaths();
    server.use(...taskwaitHandlers(tasks, { routes: [softwareOneTaskList({ leaveOut: [tsk(3)] })] }));
    const client = createClient(softwareOne, { token: 'swo-token-0000', wait: FAST, batch: { windowMs: 20 } });
    const outcomes = await client.waitAll(
      tasks.map((t) => t.ref),
      { settled: true, onTaskProgress: (s) => seen.push(s.id) },
    );
    log.stop();
    expect(outcomes.filter((o) => 'snapshot' in o)).toHaveLength(149);
    const failed = outcomes[7] as { error: { snapshot: TaskSnapshot } };
    expect(failed.error.snapshot).toMatchObject({ id: tsk(7), state: 'failed', rawStatus: 'Failed' });
    expect(new Set(seen).size).toBe(150);
    // 450 reads (queued, running, the end of each task) in a few dozen requests.
    expect(tasks.reduce((n, t) => n + t.requests.length, 0)).toBe(450);
    const lists = log.paths.filter((p) => p.startsWith('/public/v1/system/tasks?'));
    const singles = log.paths.filter((p) => !p.startsWith('/public/v1/system/tasks?'));
    expect(lists.length + singles.length).toBeLessThan(40);
    for (const list of lists) {
      const ids = /in\(id,\(([^)]*)\)\)&limit=(\d+)$/.exec(list);
      expect(ids).not.toBeNull();
      const count = (ids?.[1] ?? '').split(',').length;
      expect(count).toBeLessThanOrEqual(100);
      expect(Number(ids?.[2])).toBe(count);
    }
    // The task the list leaves out was read with its own GET each time.
    expect(singles.filter((p) => p.endsWith(tsk(3)))).toHaveLength(3);
    expect(lists.filter((p) => p.includes(`"${tsk(3)}"`)).length).toBeGreaterThanOrEqual(2);
  });

  it('asks for quoted ids and a limit no larger than the ids', async () => {
    const tasks = [0, 1, 2].map((i) => fakeTask(softwareOneFake, { id: tsk(i), queuedPolls: 0, progress: [] }));
    const log = recordPaths();
    server.use(...taskwaitHandlers(tasks, { routes: [softwareOneTaskList()] }));
    const client = createClient(softwareOne, { token: 'swo-token-0000', wait: FAST });
    await client.waitAll(tasks.map((t) => t.ref));
    log.stop();
    // The first poll after a quiet spell goes at once, alone; the two that follow share a list.
    expect(log.paths).toEqual([
      `/public/v1/system/tasks/${tsk(0)}`,
      `/public/v1/system/tasks?in(id,("${tsk(1)}","${tsk(2)}"))&limit=2`,
    ]);
  });

  it('reads a task named by URL (an id the list can not take) with its own GET', async () => {
    const listed = fakeTask(softwareOneFake, { id: tsk(9), queuedPolls: 0, progress: [] });
    const odd = fakeTask(softwareOneFake, { id: 'legacy-task-1', queuedPolls: 0, progress: [] });
    server.use(...taskwaitHandlers([listed, odd], { routes: [softwareOneTaskList()] }));
    const client = createClient(softwareOne, { token: 'swo-token-0000', wait: FAST });
    const ends = await client.waitAll([listed.ref, odd.ref]);
    expect(ends.map((s) => s.state)).toEqual(['succeeded', 'succeeded']);
    expect(odd.requests.map((r) => r.path)).toEqual(['/public/v1/system/tasks/legacy-task-1']);
  });
});

describe('Anaplan: an action’s task list', () => {
  const ACTION = '/2/0/workspaces/8a81b09d5e8c6f27015ece3402487d33/models/75A40874E6B64FA3AE0743278996850F';

  it('reads the tasks of one action in one list; a COMPLETE entry without its result gets its own GET', async () => {
    const tasks = Array.from({ length: 6 }, (_, i) =>
      fakeTask(anaplanFake, {
        kind: 'imports',
        queuedPolls: 1,
        progress: [0.4],
        outcome: i === 2 ? 'failed' : i === 4 ? 'partial' : 'succeeded',
      }),
    );
    const log = recordPaths();
    server.use(...taskwaitHandlers(tasks, { routes: [anaplanTaskList()] }));
    const client = createClient(anaplan, { token: 'anaplan-token-0000', wait: FAST });
    const ends = await client.waitAll(
      tasks.map((t) => t.ref),
      { throwOnFailure: false },
    );
    log.stop();
    expect(ends.map((s) => s.state)).toEqual(['succeeded', 'succeeded', 'failed', 'succeeded', 'partial', 'succeeded']);
    const lists = log.paths.filter((p) => p === `${ACTION}/imports/112000000007/tasks?sort=-creationDate&limit=5000`);
    expect(lists.length).toBeGreaterThanOrEqual(2);
    // The list can't tell a COMPLETE success from a failure: every task was read on its own at least once.
    for (const task of tasks)
      expect(log.paths.filter((p) => p.endsWith(`/tasks/${task.id}`)).length).toBeGreaterThan(0);
  });

  it('needs no GET for a listed task when the list carries each result', async () => {
    const tasks = Array.from({ length: 4 }, (_, i) =>
      fakeTask(anaplanFake, {
        kind: 'processes',
        queuedPolls: 0,
        progress: [],
        outcome: i === 1 ? 'failed' : 'succeeded',
      }),
    );
    const log = recordPaths();
    server.use(...taskwaitHandlers(tasks, { routes: [anaplanTaskList({ withResult: true })] }));
    const client = createClient(anaplan, { token: 'anaplan-token-0000', wait: FAST });
    const ends = await client.waitAll(
      tasks.map((t) => t.ref),
      { throwOnFailure: false },
    );
    log.stop();
    expect(ends.map((s) => s.state)).toEqual(['succeeded', 'failed', 'succeeded', 'succeeded']);
    // The first poll went alone; the other three were read in one list.
    expect(log.paths).toEqual([
      `${ACTION}/processes/118000000002/tasks/${tasks[0]?.id}`,
      `${ACTION}/processes/118000000002/tasks?sort=-creationDate&limit=5000`,
    ]);
  });

  it('reads ALM tasks with their own GETs: the list is for bulk actions', async () => {
    const task = fakeTask(anaplanFake, { kind: 'syncTasks', queuedPolls: 0, progress: [] });
    server.use(...taskwaitHandlers([task], { routes: [anaplanTaskList()] }));
    const client = createClient(anaplan, { token: 'anaplan-token-0000', wait: FAST });
    await client.waitAll([task.ref]);
    expect(task.requests.map((r) => r.path)).toEqual([
      `/2/0/models/75A40874E6B64FA3AE0743278996850F/alm/syncTasks/${task.id}`,
    ]);
  });
});
