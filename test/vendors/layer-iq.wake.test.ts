import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createClient } from '../../src/index.js';
import { layerIq, signWebhook, WebhookVerificationError } from '../../src/vendors/layer-iq/index.js';

const SECRET = 'whsec_3b1f0c9e8d7a6b5c4d3e2f1a';
const BASE = 'https://api.layer-iq.com/api/v1/public';
const TASK_ID = 'run_01HZX3K9Q7';
// The event the docs describe: the task's relative status URL, and its id.
const BODY = readFileSync(
  new URL('../fixtures/layer-iq/constructed-webhook-event-completed.json', import.meta.url),
  'utf8',
);
const slow = { jitter: 0, estimate: false, minDelayMs: 60_000, maxDelayMs: 60_000 };

/** A Layer IQ API whose task is RUNNING until `complete()`; records when it is read. */
function fakeApi() {
  const reads: number[] = [];
  let status = 'RUNNING';
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const url = new URL(new Request(input as RequestInfo, init).url);
    expect(url.pathname).toBe(`/api/v1/public/tasks/${TASK_ID}`);
    reads.push(Date.now());
    return Response.json({
      taskId: TASK_ID,
      mode: 'INGEST',
      status,
      progress: status === 'COMPLETE' ? 1 : 0.4,
      counts: { received: 1000 },
    });
  };
  return {
    fetch,
    reads,
    complete() {
      status = 'COMPLETE';
    },
  };
}

const sign = (payload: string, secret = SECRET) =>
  signWebhook({ payload, secret, timestamp: Math.floor(Date.now() / 1000) });

beforeEach(() => {
  vi.useFakeTimers({ now: 1_741_083_391_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('layer-iq wakeFromWebhook', () => {
  it('verifies a delivery and wakes the waits on its task, which confirm with one GET', async () => {
    const api = fakeApi();
    const layer = createClient(layerIq, { token: 'liq_test_wake', fetch: api.fetch, wait: slow });
    const started = Date.now();
    const byId = layer.wait(TASK_ID);
    const byUrl = layer.wait(`${BASE}/tasks/${TASK_ID}`);
    await vi.advanceTimersByTimeAsync(7000);
    api.complete();
    const { event, woken } = await layer.wakeFromWebhook({ payload: BODY, header: await sign(BODY), secret: SECRET });
    expect(event.id).toBe('evt_01HZX3M4T2');
    expect(woken).toBe(2);
    await vi.advanceTimersByTimeAsync(0);
    const [a, b] = await Promise.all([byId, byUrl]);
    expect([a.state, b.state]).toEqual(['succeeded', 'succeeded']);
    expect(api.reads.map((at) => at - started)).toEqual([0, 0, 7000, 7000]);
  });

  it('wakes nothing on a forged delivery: the wait stays on its schedule', async () => {
    const api = fakeApi();
    const layer = createClient(layerIq, { token: 'liq_test_wake', fetch: api.fetch, wait: slow });
    const started = Date.now();
    const waiting = layer.wait(TASK_ID);
    await vi.advanceTimersByTimeAsync(7000);
    api.complete();
    const forged = layer.wakeFromWebhook({ payload: BODY, header: await sign(BODY, 'whsec_guess'), secret: SECRET });
    await expect(forged).rejects.toBeInstanceOf(WebhookVerificationError);
    const edited = BODY.replace('"failed": 3', '"failed": 0');
    const tampered = layer.wakeFromWebhook({ payload: edited, header: await sign(BODY), secret: SECRET });
    await expect(tampered).rejects.toMatchObject({ reason: 'bad-signature' });
    await vi.advanceTimersByTimeAsync(1000);
    expect(api.reads.map((at) => at - started)).toEqual([0]);
    await vi.advanceTimersByTimeAsync(60_000);
    await expect(waiting).resolves.toMatchObject({ state: 'succeeded' });
    expect(api.reads.map((at) => at - started)).toEqual([0, 60_000]);
  });

  it('wakes the waits on the task id as well when the event’s taskUrl is another URL of it', async () => {
    const api = fakeApi();
    const layer = createClient(layerIq, { token: 'liq_test_wake', fetch: api.fetch, wait: slow });
    const started = Date.now();
    const byId = layer.wait(TASK_ID);
    const byUrl = layer.wait(`${BASE}/tasks/${TASK_ID}?view=full`);
    const other = layer.wait(`${BASE}/tasks/${TASK_ID}?view=short`);
    await vi.advanceTimersByTimeAsync(7000);
    api.complete();
    const body = BODY.replace(
      `"taskUrl": "/api/v1/public/tasks/${TASK_ID}"`,
      `"taskUrl": "/api/v1/public/tasks/${TASK_ID}?view=full"`,
    );
    expect(body).not.toBe(BODY);
    const { woken } = await layer.wakeFromWebhook({ payload: body, header: await sign(body), secret: SECRET });
    // One wait by the event's URL and one by the id; the third names neither.
    expect(woken).toBe(2);
    await vi.advanceTimersByTimeAsync(0);
    await expect(Promise.all([byId, byUrl])).resolves.toMatchObject([{ state: 'succeeded' }, { state: 'succeeded' }]);
    expect(api.reads.map((at) => at - started)).toEqual([0, 0, 0, 7000, 7000]);
    await vi.advanceTimersByTimeAsync(60_000);
    await expect(other).resolves.toMatchObject({ state: 'succeeded' });
  });

  it('answers a verified delivery for a task nobody awaits with no wake and no request', async () => {
    const api = fakeApi();
    const layer = createClient(layerIq, { token: 'liq_test_wake', fetch: api.fetch });
    const { woken } = await layer.wakeFromWebhook({ payload: BODY, header: await sign(BODY), secret: SECRET });
    expect(woken).toBe(0);
    expect(api.reads).toEqual([]);
  });
});
