import { HttpResponse, http } from 'msw';
import { describe, expect, it } from 'vitest';
import { createClient } from '../../src/index.js';
import { FAKE_TOKEN, fakeTask, layerIqIngest, mixpeekFake, taskwaitHandlers } from '../../src/testing/index.js';
import { layerIq } from '../../src/vendors/layer-iq/index.js';
import { mixpeek } from '../../src/vendors/mixpeek/index.js';
import { acme } from '../helpers/acme.js';
import { acmeFake } from '../helpers/acme-fake.js';
import { useMsw } from '../helpers/server.js';

const server = useMsw();
const FAST = {
  token: FAKE_TOKEN,
  wait: { minDelayMs: 1, maxDelayMs: 5, jitter: 0 },
  retry: { minDelayMs: 1, maxDelayMs: 2 },
};

describe('taskwaitHandlers', () => {
  it("serves at the vendor's production URL by default, so the client needs no baseUrl", async () => {
    const task = fakeTask(mixpeekFake, { outcome: 'skipped' });
    server.use(...taskwaitHandlers(task));
    const end = await createClient(mixpeek, { ...FAST, token: 'sk_test_1234567890' }).wait(task.ref);
    expect(end.state).toBe('skipped');
    expect(task.requests[0]?.path).toBe(`/v1/tasks/${task.id}`);
  });

  it('serves under another base URL when told, and only there', async () => {
    const task = fakeTask(acmeFake);
    server.use(...taskwaitHandlers([task], { baseUrl: 'https://sandbox.acme.test/api' }));
    const sandbox = createClient(acme, { baseUrl: 'https://sandbox.acme.test/api', ...FAST });
    expect((await sandbox.wait(task.ref)).state).toBe('succeeded');
    // Production is not served: msw reports the request as unhandled and fetch fails.
    await expect(createClient(acme, { token: FAKE_TOKEN, retry: { retries: 0 } }).get(task.ref)).rejects.toMatchObject({
      name: 'NetworkError',
    });
  });

  it('serves many tasks of one vendor from one set of handlers', async () => {
    const tasks = [
      fakeTask(acmeFake, { outcome: 'failed' }),
      fakeTask(acmeFake),
      fakeTask(acmeFake, { outcome: 'partial' }),
    ];
    const handlers = taskwaitHandlers(tasks);
    expect(handlers).toHaveLength(1);
    server.use(...handlers);
    const client = createClient(acme, FAST);
    const ends = await Promise.all(tasks.map((t) => client.wait(t.ref, { throwOnFailure: false })));
    expect(ends.map((s) => s.state)).toEqual(['failed', 'succeeded', 'partial']);
    expect(tasks.map((t) => t.polls)).toEqual([3, 3, 3]);
  });

  it("lets the user's own handlers come first", async () => {
    const task = fakeTask(acmeFake);
    server.use(
      http.get(`https://api.acme.test/v2/jobs/${task.id}`, () => HttpResponse.json({ id: task.id, state: 'stopped' })),
      ...taskwaitHandlers(task),
    );
    const end = await createClient(acme, FAST).wait(task.ref, { throwOnFailure: false });
    expect(end.state).toBe('canceled');
    expect(task.requests).toHaveLength(0);
  });

  it('serves routes such as the Layer IQ ingest, and the tasks they create', async () => {
    server.use(...taskwaitHandlers([], { routes: [layerIqIngest()] }));
    const layer = createClient(layerIq, { ...FAST, token: 'liq_test_secret_key' });
    const rows = [
      { identifier: 'A-1', serialNumber: 'S1' },
      { identifier: 'A-2', serialNumber: 'S2', quantity: 0 },
    ];
    const [ref] = await layer.ingest(rows);
    expect(ref).toMatch(/^https:\/\/api\.layer-iq\.com\/api\/v1\/public\/tasks\/run_\d+$/);
    const end = await layer.wait(ref as string);
    expect(end).toMatchObject({ state: 'partial', raw: { counts: { received: 2, failed: 1 } } });
    const issues = await layer.issues(ref as string).toArray({ limit: 10 });
    expect(issues).toEqual([expect.objectContaining({ rowIndex: 1, code: 'invalid_quantity', severity: 'ERROR' })]);
  });

  it('holds an answer back for latency, and lets go when the request is aborted', async () => {
    const task = fakeTask(acmeFake, { faults: [{ on: 1, latencyMs: 60_000 }] });
    server.use(...taskwaitHandlers(task));
    const controller = new AbortController();
    const pending = createClient(acme, FAST).get(task.ref, { signal: controller.signal });
    for (let i = 0; i < 100 && task.requests.length === 0; i++) await new Promise((r) => setImmediate(r));
    controller.abort(new Error('user gave up'));
    await expect(pending).rejects.toThrow('user gave up');
  });
});
