import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, createClient } from '../../src/index.js';
import {
  type FakeServer,
  type FakeServerOptions,
  fakeTask,
  layerIqFake,
  mixpeekFake,
  startFakeServer,
} from '../../src/testing/server.js';
import { layerIq, verifyWebhook } from '../../src/vendors/layer-iq/index.js';
import { mixpeek } from '../../src/vendors/mixpeek/index.js';

const SECRET = 'whsec_fake_server_test';

interface Received {
  signature: string | undefined;
  body: string;
}

/** A webhook endpoint on loopback: answers 204 and keeps every delivery. */
async function receiver() {
  const received: Received[] = [];
  let notify: (() => void) | undefined;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({
        signature: req.headers['x-layeriq-signature'] as string | undefined,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      res.writeHead(204).end();
      notify?.();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    received,
    /** Resolves once `count` deliveries have come. */
    async count(count: number): Promise<Received[]> {
      while (received.length < count) await new Promise<void>((resolve) => (notify = resolve));
      return received;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Turns of the event loop until `done`: a delivery is recorded once the endpoint has answered. */
async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !done(); i++) await new Promise((resolve) => setImmediate(resolve));
}

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanup.splice(0).map((close) => close()));
});

async function setup(options: FakeServerOptions) {
  const hooks = await receiver();
  cleanup.push(hooks.close);
  const server: FakeServer = await startFakeServer({ ...options, webhooks: { url: hooks.url, secret: SECRET } });
  cleanup.push(() => server.close());
  return { hooks, server };
}

describe('the fake server’s webhooks', () => {
  it('pushes a signed Layer IQ event when a task timed in ms ends, without another poll', async () => {
    const task = fakeTask(layerIqFake, { queuedMs: 20, runningMs: 40 });
    const { hooks, server } = await setup({ tasks: [task] });
    const layer = createClient(layerIq, { baseUrl: server.url, token: 'liq_test_hooks' });
    expect((await layer.get(task.ref)).state).toBe('queued');
    const [delivery] = await hooks.count(1);
    await until(() => server.deliveries.length > 0);
    const event = await verifyWebhook({ payload: delivery?.body ?? '', header: delivery?.signature, secret: SECRET });
    expect(event).toMatchObject({
      type: 'asset.ingest.completed',
      data: { taskId: task.id, taskUrl: `/tasks/${task.id}`, status: 'COMPLETE', mode: 'INGEST' },
    });
    expect(layer.webhookRef(event)).toBe(`${server.url}/tasks/${task.id}`);
    // The push came on the task's clock: one poll, the one that started it.
    expect(task.polls).toBe(1);
    expect(server.deliveries).toEqual([{ at: expect.any(Number), taskId: task.id, status: 204 }]);
    expect(server.deliveries[0]?.at).toBeGreaterThanOrEqual(task.endsAt as number);
  });

  it('pushes the end of a life counted in polls when a poll first sees it', async () => {
    const task = fakeTask(layerIqFake, { queuedPolls: 1, progress: [0.5], outcome: 'failed', error: 'bad file' });
    const { hooks, server } = await setup({ tasks: [task] });
    const layer = createClient(layerIq, { baseUrl: server.url, token: 'liq_test_hooks' });
    await layer.get(task.ref);
    await layer.get(task.ref);
    expect(task.endsAt).toBe(undefined);
    expect(server.deliveries).toEqual([]);
    expect((await layer.get(task.ref)).state).toBe('failed');
    const [delivery] = await hooks.count(1);
    const event = await verifyWebhook({ payload: delivery?.body ?? '', header: delivery?.signature, secret: SECRET });
    expect(event).toMatchObject({ type: 'asset.ingest.failed', data: { status: 'FAILED', error: 'bad file' } });
    expect(task.polls).toBe(3);
  });

  it('sends nothing for an end the vendor does not push: a canceled Layer IQ task, any Mixpeek task', async () => {
    const canceled = fakeTask(layerIqFake, { queuedPolls: 0, progress: [], outcome: 'canceled' });
    const batch = fakeTask(mixpeekFake, { queuedPolls: 0, progress: [] });
    const done = fakeTask(layerIqFake, { queuedPolls: 0, progress: [] });
    const { hooks, server } = await setup({ tasks: [canceled, batch, done] });
    const layer = createClient(layerIq, { baseUrl: server.url, token: 'liq_test_hooks' });
    expect((await layer.get(canceled.ref)).state).toBe('canceled');
    expect((await createClient(mixpeek, { baseUrl: server.url, token: 'sk_hooks' }).get(batch.ref)).terminal).toBe(
      true,
    );
    expect((await layer.get(done.ref)).state).toBe('succeeded');
    await hooks.count(1);
    await until(() => server.deliveries.length > 0);
    // The later task's push is the only one: the earlier ends were passed over.
    expect(server.deliveries.map((d) => d.taskId)).toEqual([done.id]);
    expect(hooks.received).toHaveLength(1);
  });

  it('refuses bad options with a ConfigError naming them', async () => {
    await expect(startFakeServer({ webhooks: { url: '/hooks', secret: SECRET } })).rejects.toMatchObject({
      name: 'ConfigError',
      field: 'webhooks.url',
    });
    await expect(startFakeServer({ webhooks: { url: 'http://127.0.0.1:9/h', secret: '' } })).rejects.toBeInstanceOf(
      ConfigError,
    );
  });

  it('leaves no timer behind when it closes before a task ends', async () => {
    const task = fakeTask(layerIqFake, { queuedMs: 1000, runningMs: 3_600_000 });
    const { server } = await setup({ tasks: [task] });
    await createClient(layerIq, { baseUrl: server.url, token: 'liq_test_hooks' }).get(task.ref);
    expect(task.endsAt).toBe((task.requests[0]?.at as number) + 3_601_000);
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timers();
    await server.close();
    expect(timers()).toBe(before - 1);
  });
});
