import { afterEach, describe, expect, it } from 'vitest';
import { createClient, TaskFailedError, WaitTimeoutError } from '../../src/index.js';
import { type FakeServer, fakeTask, layerIqFake, mixpeekFake, startFakeServer } from '../../src/testing/server.js';
import { layerIq } from '../../src/vendors/layer-iq/index.js';
import { mixpeek } from '../../src/vendors/mixpeek/index.js';

const FAST = { wait: { minDelayMs: 1, maxDelayMs: 5, jitter: 0 }, retry: { minDelayMs: 1, maxDelayMs: 2 } };
const open: FakeServer[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

describe("a client's error guards", () => {
  it('isTaskFailed is true for a failure of its own vendor only, and the snapshot reads as that vendor’s', async () => {
    const task = fakeTask(mixpeekFake, { outcome: 'failed', error: 'Object not found' });
    const server = await startFakeServer({ tasks: [task] });
    open.push(server);
    const client = createClient(mixpeek, { ...FAST, ...server.clientOptions });
    const other = createClient(layerIq, { ...FAST, ...server.clientOptions });
    const error = await client.wait(task.ref).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(TaskFailedError);
    expect(client.isTaskFailed(error)).toBe(true);
    expect(other.isTaskFailed(error)).toBe(false);
    expect(client.isWaitTimeout(error)).toBe(false);
    expect(client.isTaskFailed(new Error('Object not found'))).toBe(false);
    expect(client.isTaskFailed(undefined)).toBe(false);
    if (!client.isTaskFailed(error)) throw new Error('unreachable');
    expect(error.snapshot.raw.status).toBe('FAILED');
    expect(error.snapshot.raw.task_id).toBe(task.id);
  });

  it('isWaitTimeout is true for a timeout of its own vendor only', async () => {
    const task = fakeTask(layerIqFake, { queuedPolls: 1_000_000 });
    const server = await startFakeServer({ tasks: [task] });
    open.push(server);
    const client = createClient(layerIq, { ...FAST, ...server.clientOptions });
    const other = createClient(mixpeek, { ...FAST, ...server.clientOptions });
    const error = await client.wait(task.ref, { timeoutMs: 50 }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(WaitTimeoutError);
    expect(client.isWaitTimeout(error)).toBe(true);
    expect(other.isWaitTimeout(error)).toBe(false);
    expect(client.isTaskFailed(error)).toBe(false);
    expect(client.isWaitTimeout(new Error('timeout'))).toBe(false);
  });
});
