import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, createClient, HttpError } from '../../src/index.js';
import { layerIqFake } from '../../src/testing/fakes/layer-iq.js';
import {
  type IngestAssetInput,
  type IngestRequest,
  LAYER_IQ_BASE_URL,
  layerIq,
  type NormalizedRow,
} from '../../src/vendors/layer-iq/index.js';

const BASE = LAYER_IQ_BASE_URL;
const KEY = 'liq_live_5a4b3c2d1e0f99887766';
const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const layer = createClient(layerIq, {
  token: KEY,
  wait: { minDelayMs: 1, maxDelayMs: 2, jitter: 0 },
  retry: { retries: 2, minDelayMs: 1, maxDelayMs: 2 },
});

async function* assets(count: number, pulled: { n: number }): AsyncGenerator<IngestAssetInput> {
  for (let i = 0; i < count; i++) {
    pulled.n += 1;
    yield { identifier: `SN-${i}`, manufacturer: 'Lenovo', year: 2022 };
  }
}

function serveTasks() {
  server.use(
    http.get(`${BASE}/tasks/:taskId`, ({ params }) => {
      const at = new Date();
      return HttpResponse.json(
        layerIqFake.kinds.task.render({
          id: String(params.taskId),
          state: 'succeeded',
          createdAt: at,
          updatedAt: at,
          poll: 1,
        }) as object,
      );
    }),
  );
}

describe('ingest()', () => {
  it('sends 25,001 rows as 10000/10000/5001, holding one batch, and returns refs wait() accepts', async () => {
    const pulled = { n: 0 };
    const batches: { size: number; pulledBefore: number; body: IngestRequest; apiKey: string | null }[] = [];
    // A Location in each form the server might use: absolute, root-relative, and none at all.
    const locations = [`${BASE}/tasks/run_1`, '/api/v1/public/tasks/run_2', undefined];
    server.use(
      http.post(`${BASE}/assets/ingest`, async ({ request }) => {
        const body = (await request.json()) as IngestRequest;
        batches.push({
          size: body.assets.length,
          pulledBefore: pulled.n,
          body,
          apiKey: request.headers.get('x-api-key'),
        });
        const n = batches.length;
        const location = locations[n - 1];
        return HttpResponse.json(
          { taskId: `run_${n}` },
          { status: 202, headers: location ? { Location: location } : {} },
        );
      }),
    );
    serveTasks();

    const refs = await layer.ingest(assets(25_001, pulled), { normalize: true, syncMode: 'DELTA' });

    expect(batches.map((b) => b.size)).toEqual([10_000, 10_000, 5_001]);
    // Each request went out before the rows of the next batch were read (one row of look-ahead).
    expect(batches.map((b) => b.pulledBefore)).toEqual([10_001, 20_001, 25_001]);
    expect(batches[0]?.body).toMatchObject({ normalize: true, syncMode: 'DELTA' });
    expect(batches[0]?.body.assets[0]).toEqual({ identifier: 'SN-0', manufacturer: 'Lenovo', year: 2022 });
    expect(batches[2]?.body.assets.at(-1)?.identifier).toBe('SN-25000');
    expect(batches.every((b) => b.apiKey === KEY)).toBe(true);
    expect(refs).toEqual([`${BASE}/tasks/run_1`, `${BASE}/tasks/run_2`, 'run_3']);
    const done = await Promise.all(refs.map((ref) => layer.wait(ref)));
    expect(done.map((s) => [s.id, s.state])).toEqual([
      ['run_1', 'succeeded'],
      ['run_2', 'succeeded'],
      ['run_3', 'succeeded'],
    ]);
  });

  it('re-submits normalized rows without their inline issues and rowIndex', async () => {
    let sent: unknown[] = [];
    server.use(
      http.post(`${BASE}/assets/ingest`, async ({ request }) => {
        sent = ((await request.json()) as IngestRequest).assets;
        return HttpResponse.json({ taskId: 'run_1' }, { status: 202 });
      }),
    );
    const rows: NormalizedRow[] = [
      { rowIndex: 0, identifier: 'SN-1', model: 'X1', issues: [{ code: 'c', message: 'm', severity: 'WARNING' }] },
    ];
    await layer.ingest(rows);
    expect(sent).toEqual([{ identifier: 'SN-1', model: 'X1' }]);
  });

  it('refuses FULL sync over more rows than one batch before sending anything', async () => {
    let posts = 0;
    server.use(
      http.post(`${BASE}/assets/ingest`, () => {
        posts += 1;
        return HttpResponse.json({ taskId: 'run_1' }, { status: 202 });
      }),
    );
    const rows = Array.from({ length: 11 }, (_, i) => ({ identifier: `SN-${i}` }));
    await expect(layer.ingest(rows, { syncMode: 'FULL', batchSize: 10 })).rejects.toMatchObject({
      name: 'ConfigError',
      field: 'syncMode',
    });
    expect(posts).toBe(0);
    await expect(layer.ingest(rows.slice(0, 10), { syncMode: 'FULL', batchSize: 10 })).resolves.toEqual(['run_1']);
  });

  it('sends nothing for no rows', async () => {
    await expect(layer.ingest([])).resolves.toEqual([]);
  });

  it('rejects a batch size the API does not take', async () => {
    await expect(layer.ingest([{ identifier: 'a' }], { batchSize: 10_001 })).rejects.toMatchObject({
      name: 'ConfigError',
      field: 'batchSize',
    });
    await expect(layer.ingest([{ identifier: 'a' }], { batchSize: 0 })).rejects.toBeInstanceOf(ConfigError);
  });

  it('does not repeat a POST the server may have processed (500), but does after a 503', async () => {
    let posts = 0;
    server.use(
      http.post(`${BASE}/assets/ingest`, () => {
        posts += 1;
        return HttpResponse.json({ error: { code: 'INTERNAL_ERROR', message: 'boom' } }, { status: 500 });
      }),
    );
    await expect(layer.ingest([{ identifier: 'a' }])).rejects.toBeInstanceOf(HttpError);
    expect(posts).toBe(1);

    posts = 0;
    server.use(
      http.post(`${BASE}/assets/ingest`, () => {
        posts += 1;
        return posts === 1
          ? new HttpResponse(null, { status: 503, headers: { 'Retry-After': '0' } })
          : HttpResponse.json({ taskId: 'run_7' }, { status: 202 });
      }),
    );
    await expect(layer.ingest([{ identifier: 'a' }])).resolves.toEqual(['run_7']);
    expect(posts).toBe(2);
  });

  it('falls back to the task id when Location points at another origin', async () => {
    server.use(
      http.post(`${BASE}/assets/ingest`, () =>
        HttpResponse.json(
          { taskId: 'run_1' },
          { status: 202, headers: { Location: 'https://elsewhere.example/tasks/run_1' } },
        ),
      ),
    );
    const batches: unknown[] = [];
    for await (const batch of layer.ingestBatches([{ identifier: 'a' }])) batches.push(batch);
    expect(batches[0]).toEqual({
      index: 0,
      rows: 1,
      taskId: 'run_1',
      location: 'https://elsewhere.example/tasks/run_1',
      ref: 'run_1',
    });
  });
});

describe('ingestBatches()', () => {
  it('yields each batch as it is accepted, and a break stops the import', async () => {
    let posts = 0;
    server.use(
      http.post(`${BASE}/assets/ingest`, () => {
        posts += 1;
        return HttpResponse.json({ taskId: `run_${posts}` }, { status: 202 });
      }),
    );
    const pulled = { n: 0 };
    for await (const batch of layer.ingestBatches(assets(50, pulled), { batchSize: 10 })) {
      expect(batch).toMatchObject({ index: 0, rows: 10, taskId: 'run_1', ref: 'run_1' });
      break;
    }
    expect(posts).toBe(1);
    expect(pulled.n).toBe(11);
  });
});

describe('ingest() and its signal', () => {
  it("ends with the abort's reason while the caller's rows are stuck, and tells them to stop", async () => {
    let posts = 0;
    server.use(
      http.post(`${BASE}/assets/ingest`, () => {
        posts += 1;
        return HttpResponse.json({ taskId: `run_${posts}` }, { status: 202 });
      }),
    );
    // Two rows, then a stream that stalls for good.
    const rows = [{ identifier: 'SN-0' }, { identifier: 'SN-1' }];
    let returned = false;
    const stalled: AsyncIterable<IngestAssetInput> = {
      [Symbol.asyncIterator]: () => ({
        next: () => {
          const row = rows.shift();
          return row ? Promise.resolve({ done: false, value: row }) : new Promise(() => {});
        },
        return: () => {
          returned = true;
          return Promise.resolve({ done: true, value: undefined });
        },
      }),
    };
    const control = new AbortController();
    const reason = Symbol('stop');
    setTimeout(() => control.abort(reason), 30);
    await expect(layer.ingest(stalled, { batchSize: 1, signal: control.signal })).rejects.toBe(reason);
    expect(posts).toBe(1);
    expect(returned).toBe(true);
    // With a signal, rows that are promises are still awaited, as `for await` does.
    const refs = await layer.ingest([Promise.resolve({ identifier: 'a' })] as never, {
      signal: new AbortController().signal,
    });
    expect(refs).toEqual(['run_2']);
  });

  it('refuses a batchSize of any bad value with a ConfigError', async () => {
    for (const batchSize of [0, Symbol('ten'), Object.create(null)]) {
      await expect(layer.ingest([{ identifier: 'a' }], { batchSize })).rejects.toBeInstanceOf(ConfigError);
    }
  });
});
