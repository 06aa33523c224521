// The two fault kinds the soak added to the testing kit, on both of its transports: a connection
// reset half-way through the body (`body: 'reset'`) and a slow trickle of bytes (`trickleMs`).
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, createClient, NetworkError } from '../../src/index.js';
import { type FaultRule, fakeTask, mixpeekFake, startFakeServer, taskwaitHandlers } from '../../src/testing/index.js';
import { mixpeek } from '../../src/vendors/mixpeek/index.js';

const msw = setupServer();

const TOKEN = 'sk_test_kit_faults_123';

/** Serves a task with `faults` over msw or a loopback server; returns a client of it with no retries. */
async function serve(transport: 'msw' | 'loopback', faults: FaultRule[], timeoutMs = 1000) {
  const task = fakeTask(mixpeekFake, { faults, progress: [0.5] });
  let baseUrl: string | undefined;
  let close = async () => {};
  if (transport === 'msw') {
    msw.use(...taskwaitHandlers(task));
  } else {
    const server = await startFakeServer({ tasks: [task] });
    baseUrl = server.url;
    close = () => server.close();
  }
  const client = createClient(mixpeek, {
    token: TOKEN,
    requestTimeoutMs: timeoutMs,
    retry: { retries: 0 },
    ...(baseUrl ? { baseUrl } : {}),
  });
  return { task, client, close };
}

describe.each(['msw', 'loopback'] as const)('over %s', (transport) => {
  // msw patches fetch while it listens: only for its own transport.
  if (transport === 'msw') {
    beforeAll(() => msw.listen({ onUnhandledRequest: 'error' }));
    afterEach(() => msw.resetHandlers());
    afterAll(() => msw.close());
  }

  it("body: 'reset' sends half the payload, then fails the read: a NetworkError, and the life does not move on", async () => {
    const { task, client, close } = await serve(transport, [{ on: 1, body: 'reset' }]);
    try {
      const error = await client.get(task.ref).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(NetworkError);
      expect((error as NetworkError).timedOut).toBe(false);
      expect(task.requests[0]).toMatchObject({ status: 200, fault: 'reset' });
      expect(task.polls).toBe(0);
      await expect(client.get(task.ref)).resolves.toMatchObject({ state: 'queued' });
    } finally {
      await close();
    }
  });

  it('trickleMs within the request timeout: the right answer, late', async () => {
    const { task, client, close } = await serve(transport, [{ on: 1, trickleMs: 80 }]);
    try {
      await expect(client.get(task.ref)).resolves.toMatchObject({ state: 'queued' });
      expect(task.requests[0]).toMatchObject({ status: 200, fault: 'trickle' });
    } finally {
      await close();
    }
  });

  it('trickleMs beyond the request timeout: the request times out mid-body', async () => {
    const { task, client, close } = await serve(transport, [{ on: 1, trickleMs: 5000 }], 100);
    try {
      const error = await client.get(task.ref).catch((e: unknown) => e);
      expect(error).toMatchObject({ name: 'NetworkError', timedOut: true });
    } finally {
      await close();
    }
  });
});

it('refuses a fault rule that is not one', () => {
  for (const rule of [
    { on: 1, trickleMs: -1 },
    { on: 1, trickleMs: Number.NaN },
    { on: 1, body: 'gone' },
    { on: 1, body: 'reset', trickleMs: 10 },
    { on: 1, drop: true, trickleMs: 10 },
  ]) {
    expect(() => fakeTask(mixpeekFake, { faults: [rule as FaultRule] }), JSON.stringify(rule)).toThrow(ConfigError);
  }
});
