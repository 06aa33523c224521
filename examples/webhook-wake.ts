// A webhook wakes the waits: Layer IQ POSTs a signed event when a task ends, the endpoint verifies
// it and wakes the client's waits on that task, and each confirms the end with one GET. The poll
// schedule is only a safety net for a lost delivery, so a task costs about two requests (the
// first poll and the confirmation) and is seen about one request after it ends.
//
//   npx tsx examples/webhook-wake.ts
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createClient } from '../src/index.js';
import { fakeTask, layerIqFake, startFakeServer } from '../src/testing/index.js';
import { layerIq, signWebhook, WebhookVerificationError } from '../src/vendors/layer-iq/index.js';

const SECRET = process.env.LAYER_IQ_WEBHOOK_SECRET ?? 'whsec_example';
const TASKS = 20;

// When each push came in, by task id.
const pushedAt = new Map<string, number>();

// The webhook endpoint: a plain node:http server on loopback (any framework does the same).
const endpoint = createServer(async (req, res) => {
  try {
    const receivedAt = Date.now();
    const { event, woken } = await layer.wakeFromWebhook({
      payload: await rawBody(req), // the raw bytes: a re-serialized body would not verify
      header: req.headers['x-layeriq-signature'] as string | undefined,
      secret: SECRET,
    });
    pushedAt.set(event.data.taskId, receivedAt);
    res.writeHead(204, { 'x-woken': String(woken) }).end();
  } catch (error) {
    // A forged, stale or tampered delivery wakes nothing.
    res.writeHead(error instanceof WebhookVerificationError ? 400 : 500).end();
  }
});
endpoint.listen(0, '127.0.0.1');
await once(endpoint, 'listening');
const hookUrl = `http://127.0.0.1:${(endpoint.address() as AddressInfo).port}/hooks/layer-iq`;

// A fake Layer IQ whose tasks run 200 ms to 1.5 s, and that POSTs to the endpoint when each ends.
const tasks = Array.from({ length: TASKS }, (_, i) =>
  fakeTask(layerIqFake, { queuedMs: 50, runningMs: 150 + Math.round((1350 * i) / (TASKS - 1)) }),
);
// And one that never ends, to time a single GET on.
const probe = fakeTask(layerIqFake, { queuedMs: 3_600_000 });
const server = await startFakeServer({ tasks: [probe, ...tasks], webhooks: { url: hookUrl, secret: SECRET } });

const layer = createClient(layerIq, {
  baseUrl: server.url, // omit against the real API
  token: process.env.LAYER_IQ_API_KEY ?? 'liq_test_example',
  // The push does the detecting; the schedule only catches a delivery that never came.
  wait: { minDelayMs: 60_000, maxDelayMs: 300_000 },
});

try {
  // One request's latency on this server, for scale.
  const latencies: number[] = [];
  for (let i = 0; i < 20; i++) {
    const t0 = performance.now();
    await layer.get(probe.ref);
    latencies.push(performance.now() - t0);
  }
  const requestMs = median(latencies);

  // Every wait at once; each records when it saw its task end.
  const seen = await Promise.all(
    tasks.map(async (task) => {
      const snapshot = await layer.wait(task.ref);
      return { task, state: snapshot.state, at: Date.now() };
    }),
  );
  assert.ok(seen.every((s) => s.state === 'succeeded'));
  const delays = seen.map((s) => s.at - (s.task.endsAt as number));
  // The vendor's part (its queue, signing, the POST) and ours (verify, wake, one GET).
  const pushing = seen.map((s) => (pushedAt.get(s.task.id) as number) - (s.task.endsAt as number));
  const confirming = seen.map((s) => s.at - (pushedAt.get(s.task.id) as number));
  const perTask = tasks.reduce((sum, t) => sum + t.requests.length, 0) / TASKS;
  console.log(`${TASKS} tasks of 0.2 to 1.5 s, the webhook endpoint at ${hookUrl}`);
  console.log(`one GET on this server:     median ${requestMs.toFixed(1)} ms`);
  console.log(
    `detection delay:            median ${median(delays)} ms, max ${Math.max(...delays)} ms (task end → wait resolved)`,
  );
  console.log(`  of which end → push:      median ${median(pushing)} ms (the fake vendor signs and POSTs)`);
  console.log(`  and push → wait resolved: median ${median(confirming)} ms (verify, wake, one GET)`);
  console.log(`requests per task:          ${perTask.toFixed(2)} (the first poll, then one GET to confirm the push)`);
  console.log(`webhooks delivered:         ${server.deliveries.filter((d) => d.status === 204).length} of ${TASKS}`);
  assert.ok(perTask <= 2.5, `about 2 requests per task, got ${perTask}`);

  // A forged delivery (signed with another secret) is refused and wakes nothing.
  const late = fakeTask(layerIqFake, { queuedMs: 60_000 });
  server.add(late);
  let ended = false;
  const pending = layer
    .wait(late.ref, { timeoutMs: 500 })
    .catch((error: Error) => error.name)
    .finally(() => (ended = true));
  // Forge once the wait's first poll is in, however slow this machine is.
  while (late.requests.length === 0 && !ended) await new Promise((resolve) => setTimeout(resolve, 5));
  const body = JSON.stringify({
    id: 'evt_forged',
    type: 'asset.ingest.completed',
    createdAt: new Date().toISOString(),
    data: { taskId: late.id, taskUrl: `/tasks/${late.id}`, mode: 'INGEST', status: 'COMPLETE', counts: {} },
  });
  const forged = await fetch(hookUrl, {
    method: 'POST',
    headers: { 'x-layeriq-signature': await signWebhook({ payload: body, secret: 'whsec_guessed' }) },
    body,
  });
  console.log(`a forged delivery:          ${forged.status}, woke nothing; the wait ended ${await pending}`);
  assert.equal(forged.status, 400);
  assert.equal(late.requests.length, 1);
} finally {
  await server.close();
  endpoint.close();
}

async function rawBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}
