import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createClient, HttpError, NetworkError } from '../../src/index.js';
import {
  anaplanFake,
  type FakeServer,
  fakeTask,
  layerIqFake,
  layerIqIngest,
  mixpeekFake,
  postmanFake,
  softwareOneFake,
  startFakeServer,
} from '../../src/testing/server.js';
import { anaplan } from '../../src/vendors/anaplan/index.js';
import { layerIq } from '../../src/vendors/layer-iq/index.js';
import { mixpeek } from '../../src/vendors/mixpeek/index.js';
import { postman } from '../../src/vendors/postman/index.js';
import { softwareOne } from '../../src/vendors/softwareone/index.js';
import { acme } from '../helpers/acme.js';
import { acmeFake } from '../helpers/acme-fake.js';
import { leftOver, resources } from '../helpers/reliability.js';

const FAST = { wait: { minDelayMs: 1, maxDelayMs: 5, jitter: 0 }, retry: { minDelayMs: 1, maxDelayMs: 2 } };
const open: FakeServer[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

async function start(...args: Parameters<typeof startFakeServer>) {
  const server = await startFakeServer(...args);
  open.push(server);
  return server;
}

/** The sockets, servers and timers alive now (the test runner's own pipes left out). */
function handles(): string[] {
  return process
    .getActiveResourcesInfo()
    .filter((r) => r !== 'PipeWrap')
    .sort();
}

/** Lets closed sockets finish closing: a few turns of the event loop, no timers. */
// Sockets close on their own schedule: turns of the event loop first, then real time on a loaded machine.
async function settle(until: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !until(); i++) await new Promise((resolve) => setImmediate(resolve));
  for (let i = 0; i < 100 && !until(); i++) await new Promise((resolve) => setTimeout(resolve, 20));
}

describe('the loopback server', () => {
  it('listens on 127.0.0.1 on a free port and serves tasks over real sockets', async () => {
    const task = fakeTask(acmeFake, { queuedPolls: 2, progress: [0.5] });
    const server = await start({ tasks: [task] });
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.url).not.toMatch(/:0$/);
    const end = await createClient(acme, { baseUrl: server.url, token: 'acme-secret', ...FAST }).wait(task.ref);
    expect(end.state).toBe('succeeded');
    expect(task.polls).toBe(4);
    expect(server.requests.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual(
      Array(4).fill(`GET /jobs/${task.id} 200`),
    );
    expect(server.requests[0]?.headers.authorization).toBe('Bearer [REDACTED]');
  });

  it('serves every vendor at once, each at its own task paths', async () => {
    const tasks = {
      mixpeek: fakeTask(mixpeekFake, { outcome: 'partial' }),
      postman: fakeTask(postmanFake, { kind: 'collection-merge' }),
      anaplan: fakeTask(anaplanFake, { kind: 'imports', progress: [0.25, 0.75] }),
      softwareone: fakeTask(softwareOneFake, { id: 'TSK-0001-2474-4798-1266' }),
      layerIq: fakeTask(layerIqFake, { outcome: 'canceled' }),
    };
    const server = await start({ tasks: Object.values(tasks) });
    const opts = { baseUrl: server.url, ...FAST };
    const ends = await Promise.all([
      createClient(mixpeek, { ...opts, token: 'sk_test_1234567890' }).wait(tasks.mixpeek.ref),
      createClient(postman, { ...opts, token: 'PMAK-1234567890' }).wait(tasks.postman.ref),
      createClient(anaplan, { ...opts, token: 'anaplan-1234567890' }).wait(tasks.anaplan.ref),
      createClient(softwareOne, { ...opts, token: 'idt:TKN-1234567890' }).wait(tasks.softwareone.ref),
      createClient(layerIq, { ...opts, token: 'liq_test_1234567890' }).wait(tasks.layerIq.ref, {
        throwOnFailure: false,
      }),
    ]);
    expect(ends.map((s) => [s.vendor, s.state])).toEqual([
      ['mixpeek', 'partial'],
      ['postman', 'succeeded'],
      ['anaplan', 'succeeded'],
      ['softwareone', 'succeeded'],
      ['layer-iq', 'canceled'],
    ]);
    expect(tasks.anaplan.requests.map((r) => r.path)).toEqual(
      Array(4).fill(expect.stringMatching(new RegExp(`/imports/\\d+/tasks/${tasks.anaplan.id}$`))),
    );
  });

  it('takes tasks added while it runs, and answers an unknown one with the vendor 404', async () => {
    const server = await start();
    const client = createClient(mixpeek, { baseUrl: server.url, token: 'sk_test_1234567890', ...FAST });
    const late = fakeTask(mixpeekFake);
    await expect(client.get(late.ref)).rejects.toMatchObject({ name: 'HttpError', status: 404 });
    server.add(late);
    expect((await client.wait(late.ref)).state).toBe('succeeded');
    expect(() => server.add(late)).toThrow(/id/);
  });

  it('finds each task among thousands, also when two vendors use the same id', async () => {
    const many = Array.from({ length: 3000 }, (_, i) =>
      i % 2 === 0
        ? fakeTask(mixpeekFake, { id: `t-${i / 2}`, outcome: 'failed' })
        : fakeTask(postmanFake, { id: `t-${(i - 1) / 2}`, outcome: 'failed' }),
    );
    const mine = fakeTask(mixpeekFake, { id: 'wanted', queuedPolls: 0, progress: [0.25] });
    const twin = fakeTask(postmanFake, { id: 'wanted', queuedPolls: 0, progress: [0.75], outcome: 'failed' });
    const server = await start({ tasks: [...many, mine, twin] });
    const mixpeekClient = createClient(mixpeek, { baseUrl: server.url, token: 'sk_test_1234567890', ...FAST });
    const postmanClient = createClient(postman, { baseUrl: server.url, token: 'PMAK-abcdef123456', ...FAST });
    expect((await mixpeekClient.wait(mine.ref)).state).toBe('succeeded');
    expect((await postmanClient.wait(twin.ref, { throwOnFailure: false })).state).toBe('failed');
    expect([mine.polls, twin.polls]).toEqual([2, 2]);
    expect(many.filter((t) => t.requests.length > 0)).toEqual([]);
    expect(() => server.add(fakeTask(mixpeekFake, { id: 't-7' }))).toThrow('two mixpeek task tasks have the id t-7');
  });

  it('drops a connection for real, and the wait goes on', async () => {
    const task = fakeTask(acmeFake, { faults: [{ on: 1, drop: true }] });
    const server = await start({ tasks: [task] });
    const client = createClient(acme, { baseUrl: server.url, ...FAST });
    const error = await createClient(acme, { baseUrl: server.url, retry: { retries: 0 } })
      .get(task.ref)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect((await client.wait(task.ref)).state).toBe('succeeded');
    expect(server.requests[0]?.status).toBe('dropped');
  });

  it('sends the vendor error body and retry headers over the wire', async () => {
    const task = fakeTask(postmanFake, { faults: [{ on: 1, rateLimit: 7 }] });
    const server = await start({ tasks: [task] });
    const error = await createClient(postman, { baseUrl: server.url, token: 'PMAK-123456', retry: { retries: 0 } })
      .get(task.ref)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpError);
    expect(error).toMatchObject({ status: 429, retryAfterMs: 7000 });
    expect(JSON.parse((error as HttpError).bodyExcerpt)).toMatchObject({ error: { name: 'rateLimitError' } });
  });

  it('leaves no socket, server or timer behind once closed, even with an answer held back', async () => {
    // Sockets of earlier tests may still be closing.
    await settle(() => !handles().some((h) => h.startsWith('TCP')));
    const before = handles();
    const baseline = resources();
    const task = fakeTask(acmeFake, { faults: [{ on: 2, latencyMs: 60_000 }] });
    const server = await startFakeServer({ tasks: [task] });
    const client = createClient(acme, { baseUrl: server.url, retry: { retries: 0 } });
    await client.get(task.ref); // a kept-alive connection
    const held = client.get(task.ref).catch((e: unknown) => e);
    await settle(() => task.requests.length === 2);
    expect(handles()).not.toEqual(before);
    await server.close();
    expect(await held).toBeInstanceOf(NetworkError);
    // Nothing more than before is alive (a timer of vitest's own may have ended meanwhile).
    await settle(() => Object.keys(leftOver(baseline)).length === 0);
    expect(leftOver(baseline)).toEqual({});
    await server.close(); // closing twice is harmless
  });

  it('answers a route that throws with a 500, and stays up', async () => {
    const server = await start({
      routes: [
        {
          fake: acmeFake,
          method: 'POST',
          path: '/boom',
          respond: () => {
            throw new Error('route bug');
          },
        },
      ],
    });
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const req = request(`${server.url}/boom`, { method: 'POST' }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode));
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(500);
    const task = fakeTask(acmeFake);
    server.add(task);
    expect((await createClient(acme, { baseUrl: server.url, ...FAST }).wait(task.ref)).state).toBe('succeeded');
  });
});

describe('the Layer IQ ingest route', () => {
  const rows = Array.from({ length: 230 }, (_, i) => ({
    identifier: `LAP-${i}`,
    manufacturer: ' lenovo ',
    countryCode: i === 17 ? 'Germany' : 'de',
    serialNumber: i % 50 === 0 ? undefined : `SN${i}`,
    quantity: 1,
  }));

  it('accepts an ingest with 202 + Location, then serves the task, its issues and normalized rows', async () => {
    const server = await start({ routes: [layerIqIngest({ pageSize: 40 })] });
    const layer = createClient(layerIq, { baseUrl: server.url, token: 'liq_test_secret_key', ...FAST });
    const [ref, ...more] = await layer.ingest(rows, { normalize: true });
    expect(more).toEqual([]);
    expect(ref).toMatch(new RegExp(`^${server.url}/tasks/run_\\d+$`));
    const end = await layer.wait(ref as string);
    expect(end).toMatchObject({ state: 'partial', raw: { counts: { received: 230, failed: 1 } } });

    const issues = await layer.issues(ref as string).toArray({ limit: Infinity });
    expect(issues.map((i) => `${i.rowIndex}:${i.severity}:${i.code}`)).toEqual([
      '0:WARNING:missing_serial_number',
      '17:ERROR:invalid_country_code',
      '50:WARNING:missing_serial_number',
      '100:WARNING:missing_serial_number',
      '150:WARNING:missing_serial_number',
      '200:WARNING:missing_serial_number',
    ]);
    const normalized = await layer.normalizedRows(ref as string).toArray({ limit: Infinity });
    expect(normalized).toHaveLength(230);
    expect(normalized[3]).toMatchObject({
      identifier: 'LAP-3',
      manufacturer: 'Lenovo',
      countryCode: 'DE',
      rowIndex: 3,
    });
    const pages = server.requests.filter((r) => r.path.includes('normalizedRowsPage=')).map((r) => r.path);
    expect(pages).toHaveLength(5); // 230 rows, 40 a page: pages 2..6 asked for
    expect(server.requests[0]).toMatchObject({ method: 'POST', path: '/assets/ingest', status: 202 });
    expect(server.requests[0]?.headers['x-api-key']).toBe('[REDACTED]');
  });

  it('refuses a bad IngestRequest with the vendor 400', async () => {
    const server = await start({ routes: [layerIqIngest()] });
    const layer = createClient(layerIq, { baseUrl: server.url, token: 'liq_test_secret_key', ...FAST });
    await expect(layer.ingest([{ serialNumber: 'x' } as never])).rejects.toMatchObject({
      name: 'HttpError',
      status: 400,
    });
  });

  it('follows the life and faults it is given for each task', async () => {
    const server = await start({
      routes: [layerIqIngest({ task: { queuedPolls: 3, faults: [{ on: 1, status: 503 }] } })],
    });
    const layer = createClient(layerIq, { baseUrl: server.url, token: 'liq_test_secret_key', ...FAST });
    const [ref] = await layer.ingest(rows.slice(1, 10));
    expect((await layer.wait(ref as string)).state).toBe('succeeded');
    const task = server.tasks[0];
    expect(task?.requests.map((r) => r.status)).toEqual([503, 200, 200, 200, 200, 200]);
  });
});

describe('taskwait/testing/server', () => {
  it('never loads msw, directly or through the modules it imports', () => {
    const seen = new Set<string>();
    const visit = (file: URL) => {
      if (seen.has(file.href)) return;
      seen.add(file.href);
      const source = readFileSync(file, 'utf8');
      for (const [, spec] of source.matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)) {
        expect(spec, `${file.pathname} imports ${spec}`).not.toMatch(/^msw(\/|$)/);
        if (spec?.startsWith('.')) visit(new URL(spec.replace(/\.js$/, '.ts'), file));
      }
    };
    visit(new URL('../../src/testing/server.ts', import.meta.url));
    expect(seen.size).toBeGreaterThan(5);
  });
});

describe('a client against a rate-limited loopback server', () => {
  it("keeps under Postman's limit: the budget paces to the server's headers", async () => {
    const tasks = Array.from({ length: 12 }, () =>
      fakeTask(postmanFake, { kind: 'collection-update', phases: [{ state: 'running', ms: 150 }] }),
    );
    const loopback = await start({ tasks, rateLimit: { limit: 4, windowMs: 200 } });
    {
      const client = createClient(postman, {
        baseUrl: loopback.url,
        token: 'PMAK-loopback-0000',
        // Postman's own limit, scaled to the server's: 4 per 200 ms.
        rateLimit: { requestsPerSecond: 20, burst: 4 },
        wait: { minDelayMs: 50, maxDelayMs: 100 },
      });
      const ends = await client.waitAll(tasks.map((t) => t.ref));
      expect(ends.every((s) => s.state === 'succeeded')).toBe(true);
      const limited = loopback.requests.filter((r) => r.status === 429).length;
      // A few at the very start at most, before the first answer told the client where it stands.
      expect(limited).toBeLessThanOrEqual(4);
    }
  });
});
