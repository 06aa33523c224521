// Logging: one structured, redacted record per event, filtered by logLevel or TASKWAIT_LOG.
import { HttpResponse } from 'msw';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigError, createClient, type LogLevel } from '../../../src/index.js';
import { jobs, serveJob } from '../../helpers/jobs.js';
import { type LogRecord, recordingLogger } from '../../helpers/records.js';
import { useMsw } from '../../helpers/server.js';

const server = useMsw();
const TOKEN = 'sk_live_L0gS3cretValue99';
const fast = {
  token: TOKEN,
  retry: { retries: 2, minDelayMs: 1, maxDelayMs: 1 },
  wait: { minDelayMs: 1, maxDelayMs: 1, jitter: 0, estimate: false },
  telemetry: false as const,
};

afterEach(() => {
  vi.unstubAllEnvs();
});

/** A wait that retries a 503 and changes state; then one whose task fails; a throwing onSettled hook on both. */
async function scenario(options: { logLevel?: LogLevel }, logger = recordingLogger()): Promise<LogRecord[]> {
  const client = createClient(jobs, {
    ...fast,
    ...options,
    logger: logger.logger,
    hooks: {
      onSettled: () => {
        throw new Error('hook bug');
      },
    },
  });
  serveJob(server, [
    () => HttpResponse.json({ error: `echo ${TOKEN}` }, { status: 503, headers: { 'x-request-id': 'rq-1' } }),
    { state: 'working', percent: 50 },
    { state: 'done', percent: 100 },
  ]);
  await client.wait('j-1');
  serveJob(server, [{ state: 'broken', failure: 'no space left' }]);
  await client.wait('j-2', { throwOnFailure: false });
  return logger.records;
}

const RANK = { error: 1, warn: 2, info: 3, debug: 4 } as const;

describe('log levels', () => {
  it('logs nothing by default', async () => {
    expect(await scenario({})).toEqual([]);
  });

  it('at debug, writes one record per event, in order, each a fixed message and its fields', async () => {
    const records = await scenario({ logLevel: 'debug' });
    expect(records.map((r) => [r.level, r.fields.event, r.message])).toEqual([
      ['info', 'request', 'taskwait: request'],
      ['info', 'retry', 'taskwait: retrying a request'],
      ['debug', 'request', 'taskwait: request'],
      ['info', 'state', 'taskwait: the task changed state'],
      ['debug', 'poll', 'taskwait: polled'],
      ['debug', 'request', 'taskwait: request'],
      ['info', 'state', 'taskwait: the task changed state'],
      ['debug', 'poll', 'taskwait: polled'],
      ['info', 'settled', 'taskwait: the wait ended'],
      ['error', 'hook-error', 'taskwait: a hook threw; the wait goes on'],
      ['debug', 'request', 'taskwait: request'],
      ['info', 'state', 'taskwait: the task changed state'],
      ['debug', 'poll', 'taskwait: polled'],
      ['warn', 'settled', 'taskwait: the wait ended'],
      ['error', 'hook-error', 'taskwait: a hook threw; the wait goes on'],
    ]);
    const url = 'https://api.jobs.test/v1/jobs/j-1';
    expect(records[0]?.fields).toEqual({
      event: 'request',
      vendor: 'jobs',
      method: 'GET',
      url,
      attempt: 1,
      status: 503,
      durationMs: expect.any(Number),
      requestId: 'rq-1',
      error: { name: 'HttpError', message: `jobs: GET ${url} answered 503: {"error":"echo [REDACTED]"}` },
    });
    expect(records[1]?.fields).toEqual({
      event: 'retry',
      vendor: 'jobs',
      method: 'GET',
      url,
      attempt: 1,
      reason: 'http_503',
      message: 'the server answered 503',
      delayMs: 1,
      status: 503,
    });
    expect(records[2]?.fields).toEqual({
      event: 'request',
      vendor: 'jobs',
      method: 'GET',
      url,
      attempt: 2,
      status: 200,
      durationMs: expect.any(Number),
    });
    expect(records[3]?.fields).toEqual({
      event: 'state',
      vendor: 'jobs',
      id: 'j-1',
      to: 'running',
      rawStatus: 'working',
      progress: 0.5,
    });
    expect(records[4]?.fields).toEqual({
      event: 'poll',
      vendor: 'jobs',
      id: 'j-1',
      polls: 1,
      state: 'running',
      rawStatus: 'working',
      progress: 0.5,
      done: false,
      delayMs: 1,
      basis: 'backoff',
    });
    expect(records[6]?.fields).toMatchObject({ from: 'running', to: 'succeeded' });
    expect(records[8]?.fields).toEqual({
      event: 'settled',
      vendor: 'jobs',
      id: 'j-1',
      outcome: 'completed',
      state: 'succeeded',
      rawStatus: 'done',
      polls: 2,
      durationMs: expect.any(Number),
    });
    expect(records[9]?.fields).toEqual({
      event: 'hook-error',
      hook: 'onSettled',
      error: { name: 'Error', message: 'hook bug' },
    });
    expect(records[13]?.fields).toMatchObject({ outcome: 'failed', state: 'failed', rawStatus: 'broken', polls: 1 });
  });

  for (const level of ['info', 'warn', 'error'] as const) {
    it(`at ${level}, writes the records of ${level} and more severe levels only`, async () => {
      const all = await scenario({ logLevel: 'debug' });
      const some = await scenario({ logLevel: level });
      const expected = all.filter((r) => RANK[r.level] <= RANK[level]).map((r) => [r.level, r.fields.event]);
      expect(some.map((r) => [r.level, r.fields.event])).toEqual(expected);
      expect(some.length).toBe({ info: 9, warn: 3, error: 2 }[level]);
    });
  }

  it('logs nothing at off', async () => {
    expect(await scenario({ logLevel: 'off' })).toEqual([]);
  });

  it('writes no token into any record', async () => {
    const records = await scenario({ logLevel: 'debug' });
    const text = JSON.stringify(records);
    expect(text).toContain('[REDACTED]');
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain('L0gS3cret');
  });

  it('logs through console by default', async () => {
    const debug = vi.spyOn(console, 'debug').mockImplementation(() => {});
    const info = vi.spyOn(console, 'info').mockImplementation(() => {});
    serveJob(server, [{ state: 'done' }]);
    await createClient(jobs, { ...fast, logLevel: 'debug' }).wait('j-1');
    expect(debug.mock.calls.map((c) => c[0])).toEqual(['taskwait: request', 'taskwait: polled']);
    expect(info.mock.calls.map((c) => c[0])).toEqual(['taskwait: the task changed state', 'taskwait: the wait ended']);
  });

  it('goes on when the logger itself throws', async () => {
    const broken = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
    broken.info = () => {
      throw new Error('disk full');
    };
    serveJob(server, [{ state: 'working' }, { state: 'done' }]);
    const client = createClient(jobs, { ...fast, logLevel: 'info', logger: broken });
    await expect(client.wait('j-1')).resolves.toMatchObject({ state: 'succeeded' });
  });
});

describe('TASKWAIT_LOG', () => {
  it('turns logging on without a code change', async () => {
    vi.stubEnv('TASKWAIT_LOG', 'warn');
    const records = await scenario({});
    expect(records.map((r) => [r.level, r.fields.event])).toEqual([
      ['error', 'hook-error'],
      ['warn', 'settled'],
      ['error', 'hook-error'],
    ]);
  });

  it('takes any case and surrounding spaces', async () => {
    vi.stubEnv('TASKWAIT_LOG', ' ERROR ');
    expect((await scenario({})).map((r) => r.level)).toEqual(['error', 'error']);
  });

  it('gives way to the logLevel option', async () => {
    vi.stubEnv('TASKWAIT_LOG', 'debug');
    expect((await scenario({ logLevel: 'error' })).map((r) => r.level)).toEqual(['error', 'error']);
    expect(await scenario({ logLevel: 'off' })).toEqual([]);
  });

  it('when it is not a level, says so once and leaves logging off', async () => {
    vi.stubEnv('TASKWAIT_LOG', 'verbose');
    const first = recordingLogger();
    createClient(jobs, { token: TOKEN, logger: first.logger });
    expect(first.records).toEqual([
      {
        level: 'warn',
        message: 'taskwait: TASKWAIT_LOG is not a log level; logging stays off',
        fields: { event: 'config', value: 'verbose', expected: 'debug, info, warn, error or off' },
      },
    ]);
    const later = recordingLogger();
    expect(await scenario({}, later)).toEqual([]);
  });

  it('is not read where there is no process (a browser)', () => {
    vi.stubEnv('TASKWAIT_LOG', 'debug');
    const saved = Object.getOwnPropertyDescriptor(globalThis, 'process') as PropertyDescriptor;
    const { logger, records } = recordingLogger();
    let client: ReturnType<typeof createClient<typeof jobs>>;
    Object.defineProperty(globalThis, 'process', { value: undefined, configurable: true, writable: true });
    try {
      client = createClient(jobs, { token: TOKEN, logger, telemetry: false });
    } finally {
      Object.defineProperty(globalThis, 'process', saved);
    }
    serveJob(server, [{ state: 'done' }]);
    return client.wait('j-1').then(() => expect(records).toEqual([]));
  });
});

describe('checking the options', () => {
  it('refuses a log level it does not know', () => {
    const bad = () => createClient(jobs, { logLevel: 'verbose' as LogLevel });
    expect(bad).toThrow(ConfigError);
    expect(bad).toThrow('logLevel must be one of off, error, warn, info, debug, got "verbose"');
  });

  it('refuses a logger without the four methods, naming the missing ones', () => {
    const bad = () => createClient(jobs, { logger: { info() {}, error() {} } as never });
    expect(bad).toThrow(
      'logger must be an object with error, warn, info and debug methods (such as console); it lacks warn, debug',
    );
    expect(() => createClient(jobs, { logger: 'console' as never })).toThrow(
      'logger must be an object with error, warn, info and debug methods (such as console)',
    );
  });
});
