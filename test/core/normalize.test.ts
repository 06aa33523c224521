import { HttpResponse, http } from 'msw';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { authorization, createClient, defineTask, defineVendor, type TaskState, toIso } from '../../src/index.js';
import { useMsw } from '../helpers/server.js';

const server = useMsw();

// Dates are read in a zone that is not UTC, so that reading a zoneless date as UTC is seen to matter.
let zone: string | undefined;
beforeAll(() => {
  zone = process.env.TZ;
  process.env.TZ = 'America/New_York';
  // A worker thread can't change its zone this way: then these tests would prove nothing.
  if (new Date(2019, 1, 12).getTimezoneOffset() === 0)
    throw new Error('the time zone did not change to America/New_York');
});
afterAll(() => {
  if (zone === undefined) delete process.env.TZ;
  else process.env.TZ = zone;
});

const Job = z.looseObject({
  id: z.string(),
  status: z.string(),
  override: z.string().optional(),
  progress: z.unknown().optional(),
  message: z.string().optional(),
  error: z.unknown().optional(),
  at: z.string().optional(),
});

function vendorMatching(statusMatch: 'exact' | 'ignoreCase') {
  return defineVendor({
    name: 'norm',
    baseUrl: 'https://api.norm.test/',
    auth: authorization('Bearer'),
    statuses: ['Done', 'Busy'],
    states: { Done: 'succeeded', Busy: 'running' },
    statusMatch,
    tasks: {
      job: defineTask({
        model: 'Job',
        schema: Job,
        status: (job) => job.status,
        snapshot: (job) => ({
          id: job.id,
          state: job.override as TaskState | undefined,
          progress: job.progress as number | undefined,
          message: job.message,
          error: job.error as string | { message: string; code?: string } | undefined,
          createdAt: job.at,
        }),
      }),
    },
    ref: z.string(),
    route: (id) => ({ kind: 'job', path: ['jobs', id] }),
  });
}

async function read(payload: Record<string, unknown>, statusMatch: 'exact' | 'ignoreCase' = 'exact') {
  server.use(http.get('https://api.norm.test/jobs/:id', () => HttpResponse.json({ id: 'j1', ...payload })));
  return createClient(vendorMatching(statusMatch), { token: 'norm-token' }).get('j1');
}

describe('the status table', () => {
  it('matches exactly by default: another casing or padding is unknown', async () => {
    expect((await read({ status: 'Done' })).state).toBe('succeeded');
    expect((await read({ status: 'done' })).state).toBe('unknown');
    expect((await read({ status: ' Done' })).state).toBe('unknown');
  });

  it('ignores case and surrounding space with statusMatch: ignoreCase, and keeps the raw status as sent', async () => {
    const snapshot = await read({ status: '  dONE ' }, 'ignoreCase');
    expect(snapshot.state).toBe('succeeded');
    expect(snapshot.rawStatus).toBe('  dONE ');
    expect((await read({ status: 'BUSY' }, 'ignoreCase')).state).toBe('running');
  });

  it('reads a status named like an Object.prototype key as unknown', async () => {
    expect((await read({ status: '__proto__' })).state).toBe('unknown');
    expect((await read({ status: 'constructor' }, 'ignoreCase')).state).toBe('unknown');
  });
});

describe('the snapshot', () => {
  it('has exactly the fields the payload gave: an absent field is no key at all', async () => {
    const snapshot = await read({ status: 'Busy' });
    expect(Object.keys(snapshot).sort()).toEqual(['id', 'kind', 'raw', 'rawStatus', 'state', 'terminal', 'vendor']);
    expect(snapshot).toStrictEqual({
      vendor: 'norm',
      kind: 'job',
      id: 'j1',
      state: 'running',
      terminal: false,
      rawStatus: 'Busy',
      raw: { id: 'j1', status: 'Busy' },
    });
  });

  it('takes the vendor’s state over the table only when it is a canonical state', async () => {
    expect((await read({ status: 'Done', override: 'failed' })).state).toBe('failed');
    const bogus = await read({ status: 'Done', override: 'exploded' });
    expect(bogus.state).toBe('succeeded');
    expect(bogus.terminal).toBe(true);
  });

  it('clamps progress to [0, 1] and drops what is not a finite number', async () => {
    expect((await read({ status: 'Busy', progress: 0.25 })).progress).toBe(0.25);
    expect((await read({ status: 'Busy', progress: 1.5 })).progress).toBe(1);
    expect((await read({ status: 'Busy', progress: -0.2 })).progress).toBe(0);
    expect((await read({ status: 'Busy', progress: 0 })).progress).toBe(0);
    expect('progress' in (await read({ status: 'Busy', progress: '0.5' }))).toBe(false);
  });

  it('keeps a message, drops an empty one', async () => {
    expect((await read({ status: 'Busy', message: 'step 2 of 3' })).message).toBe('step 2 of 3');
    expect('message' in (await read({ status: 'Busy', message: '' }))).toBe(false);
  });

  it('keeps an error text or { message, code }, and drops an empty or blank one', async () => {
    expect((await read({ status: 'Done', error: 'disk full' })).error).toStrictEqual({ message: 'disk full' });
    expect((await read({ status: 'Done', error: { message: 'quota', code: 'Q1' } })).error).toStrictEqual({
      message: 'quota',
      code: 'Q1',
    });
    expect((await read({ status: 'Done', error: { message: 'quota' } })).error).toStrictEqual({ message: 'quota' });
    for (const blank of ['', '   ', { message: '' }, { message: ' \t ' }, { code: 'X' }, null]) {
      expect('error' in (await read({ status: 'Done', error: blank }))).toBe(false);
    }
  });
});

describe('what a task kind’s enrich step returns', () => {
  function enriching(fields: { message?: string; error?: string }) {
    return defineVendor({
      name: 'norm',
      baseUrl: 'https://api.norm.test/',
      auth: authorization('Bearer'),
      statuses: ['Done'],
      states: { Done: 'succeeded' },
      tasks: {
        job: defineTask({
          model: 'Job',
          schema: Job,
          status: (job) => job.status,
          snapshot: (job) => ({ id: job.id, message: job.message }),
          enrich: async () => fields,
        }),
      },
      ref: z.string(),
      route: (id) => ({ kind: 'job', path: ['jobs', id] }),
    });
  }
  const get = (fields: { message?: string; error?: string }) => {
    server.use(
      http.get('https://api.norm.test/jobs/:id', () => HttpResponse.json({ id: 'j1', status: 'Done', message: 'own' })),
    );
    return createClient(enriching(fields), { token: 'norm-token' }).get('j1');
  };

  it('replaces the message and sets the error when they are not empty', async () => {
    const snapshot = await get({ message: 'from the logs', error: 'disk full' });
    expect(snapshot.message).toBe('from the logs');
    expect(snapshot.error).toStrictEqual({ message: 'disk full' });
  });

  it('leaves the snapshot as it was for an empty message or a blank error: no key is added', async () => {
    const snapshot = await get({ message: '', error: '  ' });
    expect(snapshot.message).toBe('own');
    expect(Object.hasOwn(snapshot, 'error')).toBe(false);
  });
});

describe('toIso', () => {
  it.each([
    ['2019-02-12 19:34:49', '2019-02-12T19:34:49.000Z'],
    ['2019-02-12t19:34:49', '2019-02-12T19:34:49.000Z'],
    ['2019-02-12T19:34:49', '2019-02-12T19:34:49.000Z'],
    ['2019-02-12T19:34', '2019-02-12T19:34:00.000Z'],
    ['2019-02-12 19:34:49.5', '2019-02-12T19:34:49.500Z'],
    ['2019-02-12 19:34:49.123456', '2019-02-12T19:34:49.123Z'],
    ['  2019-02-12 19:34:49  ', '2019-02-12T19:34:49.000Z'],
  ])('reads the zoneless %j as UTC: %s', (input, iso) => {
    expect(toIso(input)).toBe(iso);
  });

  it.each([
    ['2023-08-22 14:21:57+00:00', '2023-08-22T14:21:57.000Z'],
    ['2023-08-22 14:21:57+00', '2023-08-22T14:21:57.000Z'],
    ['2023-08-22T14:21:57-05', '2023-08-22T19:21:57.000Z'],
    ['2023-08-22T14:21:57+0530', '2023-08-22T08:51:57.000Z'],
    ['2023-08-22T14:21:57.250Z', '2023-08-22T14:21:57.250Z'],
  ])('keeps the zone of %j: %s', (input, iso) => {
    expect(toIso(input)).toBe(iso);
  });

  it('reads a date text of up to 64 characters, and no longer one', () => {
    const at64 = `2019-02-12T19:34:49.${'1'.repeat(43)}Z`;
    const at65 = `2019-02-12T19:34:49.${'1'.repeat(44)}Z`;
    expect([at64.length, at65.length]).toEqual([64, 65]);
    expect(toIso(at64)).toBe('2019-02-12T19:34:49.111Z');
    expect(toIso(`  ${at64}  `)).toBe('2019-02-12T19:34:49.111Z');
    expect(toIso(at65)).toBeUndefined();
  });

  it('reads epoch milliseconds and Date objects', () => {
    expect(toIso(1_700_000_000_000)).toBe('2023-11-14T22:13:20.000Z');
    expect(toIso(new Date(Date.UTC(2020, 0, 2, 3, 4, 5)))).toBe('2020-01-02T03:04:05.000Z');
  });

  it.each([
    ['', undefined],
    ['   ', undefined],
    ['not a date', undefined],
    [Number.NaN, undefined],
    [Number.POSITIVE_INFINITY, undefined],
    [1e20, undefined],
    [null, undefined],
    [undefined, undefined],
  ])('gives undefined for %j', (input, expected) => {
    expect(toIso(input as never)).toBe(expected);
  });
});
