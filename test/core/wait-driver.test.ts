// client.wait() runs on a callback-driven loop (poll/poller.ts waitFor), not on pollLoop: the edges
// that loop must keep as the generator had them.
import { HttpResponse, http } from 'msw';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createClient } from '../../src/index.js';
import { acme } from '../helpers/acme.js';
import { useMsw } from '../helpers/server.js';

const server = useMsw();
const JOB = 'https://api.acme.test/v2/jobs/:id';

function serveStates(states: Array<Record<string, unknown>>) {
  const times: Record<string, number[]> = {};
  server.use(
    http.get(JOB, ({ params }) => {
      const id = String(params.id);
      const list = times[id] ?? [];
      times[id] = list;
      list.push(Date.now());
      return HttpResponse.json({ id, ...states[Math.min(list.length - 1, states.length - 1)] });
    }),
  );
  return times;
}

async function settle<T>(promise: Promise<T>, ms: number): Promise<PromiseSettledResult<T>> {
  const settled = promise.then(
    (value) => ({ status: 'fulfilled', value }) as const,
    (reason) => ({ status: 'rejected', reason }) as const,
  );
  await vi.advanceTimersByTimeAsync(ms);
  return settled;
}

const exact = { wait: { jitter: 0, estimate: false } };

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('wait: the driven loop', () => {
  it('rejects with what onProgress throws, and leaves no timer', async () => {
    const times = serveStates([{ state: 'working' }]);
    const client = createClient(acme, exact);
    const oops = new Error('onProgress broke');
    const result = await settle(
      client.wait('j1', {
        onProgress: () => {
          throw oops;
        },
      }),
      10_000,
    );
    expect(result).toEqual({ status: 'rejected', reason: oops });
    expect(times.j1).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('stops with the reason when onProgress aborts the signal, and resolves when the snapshot was terminal', async () => {
    serveStates([{ state: 'working' }]);
    const client = createClient(acme, exact);
    const controller = new AbortController();
    const stopped = await settle(
      client.wait('j1', { signal: controller.signal, onProgress: () => controller.abort('enough') }),
      10_000,
    );
    expect(stopped).toEqual({ status: 'rejected', reason: 'enough' });
    expect(vi.getTimerCount()).toBe(0);

    serveStates([{ state: 'done' }]);
    const late = new AbortController();
    const done = await settle(client.wait('j2', { signal: late.signal, onProgress: () => late.abort('too late') }), 10);
    expect(done).toMatchObject({ status: 'fulfilled', value: { state: 'succeeded' } });
  });

  it('gives each wait its own poll options, however the calls alternate', async () => {
    const times = serveStates([{ state: 'working' }]);
    const client = createClient(acme, exact);
    const control = new AbortController();
    const signal = control.signal;
    const waits = [
      client.wait('a', { signal, minDelayMs: 1000, maxDelayMs: 1000 }),
      client.wait('b', { signal, minDelayMs: 3000, maxDelayMs: 3000 }),
      client.wait('c', { signal, minDelayMs: 1000, maxDelayMs: 1000 }),
      client.wait('d', { signal }),
    ].map((p) => p.catch(() => undefined));
    await vi.advanceTimersByTimeAsync(6500);
    control.abort();
    await Promise.all(waits);
    expect(times.a).toEqual([0, 1000, 2000, 3000, 4000, 5000, 6000]);
    expect(times.b).toEqual([0, 3000, 6000]);
    expect(times.c).toEqual(times.a);
    expect(times.d).toEqual([0, 1000, 3000]);
    await expect(client.wait('e', { minDelayMs: -1 })).rejects.toThrow(/minDelayMs/);
  });
});
