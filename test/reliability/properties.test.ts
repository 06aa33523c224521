// Property tests (fast-check, seeded): normalization is total, resume tokens round-trip, the
// delay schedule keeps its bounds over any input and any whole wait, and paging yields each row
// exactly once over any page sizes. The schedule's exact delays are pinned in
// test/core/schedule.test.ts.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createClient,
  DEFAULT_POLL_OPTIONS,
  decodeState,
  encodeState,
  type PollOptions,
  paginate,
  TASK_STATES,
  type TaskSnapshot,
  type TaskState,
  type WaitState,
  WaitTimeoutError,
} from '../../src/index.js';
import {
  advance,
  backoffDelay,
  clampHint,
  initialState,
  nextDelay,
  type PollOutcome,
  planDelay,
  type ScheduleInput,
} from '../../src/schedule.js';
import { type AnyFakeTask, fakeTask } from '../../src/testing/server.js';
import { layerIq } from '../../src/vendors/layer-iq/index.js';
import { mixpeek } from '../../src/vendors/mixpeek/index.js';
import {
  answering,
  breach,
  type Client,
  clientOf,
  getAt,
  kindsOf,
  NOWHERE,
  outcomeOf,
  type Path,
  pathsOf,
  payloadsOf,
  setAt,
} from '../helpers/payloads.js';
import { VENDOR_CASES, type VendorCase } from '../helpers/reliability.js';

const SEED = 20_240_607;
const settings = (numRuns: number) => ({ seed: SEED, numRuns });

describe('normalization is total', () => {
  for (const vc of VENDOR_CASES) {
    for (const { kind, ref } of kindsOf(vc)) {
      const payloads = payloadsOf(vc, kind);
      const paths = payloads.flatMap(({ body }) => pathsOf(body).map((path) => ({ body, path })));

      it(`${vc.name} ${kind}: any JSON body gives a snapshot or a typed error`, async () => {
        await fc.assert(
          fc.asyncProperty(fc.jsonValue(), async (body) => {
            const outcome = await outcomeOf((signal) =>
              clientOf(vc, answering(JSON.stringify(body))).get(ref, { signal }),
            );
            expect(breach(vc, outcome)).toBeUndefined();
          }),
          settings(100),
        );
      });

      it(`${vc.name} ${kind}: its own payload with any fields replaced by any JSON`, async () => {
        const edit = fc.tuple(fc.constantFrom(...paths), fc.jsonValue({ maxDepth: 3 }));
        await fc.assert(
          fc.asyncProperty(
            fc.constantFrom(...payloads),
            fc.array(edit, { minLength: 1, maxLength: 4 }),
            async (base, edits) => {
              let body: unknown = base.body;
              for (const [{ path }, value] of edits) {
                // Only paths that still lead somewhere after the edits before.
                if (getAt(body, path.slice(0, -1)) !== null && typeof getAt(body, path.slice(0, -1)) === 'object') {
                  body = setAt(body, path, value);
                }
              }
              const outcome = await outcomeOf((signal) =>
                clientOf(vc, answering(JSON.stringify(body))).get(ref, { signal }),
              );
              expect(breach(vc, outcome)).toBeUndefined();
            },
          ),
          settings(100),
        );
      });

      it(`${vc.name} ${kind}: any status string maps to a state, unknown ones to \`unknown\``, async () => {
        const [running] = payloads;
        const statusPath = pathsOf(running?.body).find(
          (p) => /^(status|taskState)$/.test(String(p.at(-1))) && typeof getAt(running?.body, p) === 'string',
        ) as Path;
        const known = new Set<string>(vc.vendor.statuses as readonly string[]);
        const status = fc.oneof(
          fc.string(),
          fc.constantFrom(...known),
          fc.constantFrom(...known).map((s) => s.toLowerCase()),
        );
        await fc.assert(
          fc.asyncProperty(status, async (raw) => {
            const body = JSON.stringify(setAt(running?.body, statusPath, raw));
            const outcome = await outcomeOf((signal) => clientOf(vc, answering(body)).get(ref, { signal }));
            expect(breach(vc, outcome)).toBeUndefined();
            const matches = [...known].some((s) =>
              vc.vendor.statusMatch === 'ignoreCase' ? s.toLowerCase() === raw.trim().toLowerCase() : s === raw,
            );
            // A known status may ask for fields this running payload lacks (a COMPLETE task's
            // result): a typed error, checked above. An unknown one is always tolerated.
            if (matches) return;
            expect(outcome.snapshot).toMatchObject({ state: 'unknown', terminal: false, rawStatus: raw });
          }),
          settings(60),
        );
      });
    }
  }
});

const NON_TERMINAL = TASK_STATES.filter((s) => !['succeeded', 'partial', 'failed', 'canceled', 'skipped'].includes(s));

/** One poll's outcome: a snapshot in some state, with progress and eta maybe; or a transient fault. */
const outcomeArb = fc.record({
  fault: fc.boolean(),
  state: fc.constantFrom(...(NON_TERMINAL as TaskState[])),
  progress: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }),
  etaInMs: fc.option(fc.integer({ min: -60_000, max: 600_000 }), { nil: undefined }),
  hintMs: fc.option(fc.integer({ min: 0, max: 120_000 }), { nil: undefined }),
  afterMs: fc.integer({ min: 0, max: 90_000 }),
  random: fc.double({ min: 0, max: 0.999_999, noNaN: true }),
});

const POLL = { minDelayMs: 1000, maxDelayMs: 30_000, factor: 2, jitter: 0.2, maxRetryAfterMs: 300_000, estimate: true };

describe('a resume token round-trips', () => {
  it('decodeState(encodeState(state)) is the state, for every state a wait can reach', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...VENDOR_CASES.map((c) => c.name)),
        fc.jsonValue(),
        fc.integer({ min: 0, max: 2 ** 42 }),
        fc.array(outcomeArb, { maxLength: 40 }),
        (vendor, ref, startedAt, outcomes) => {
          let state = initialState(vendor, ref, startedAt);
          let now = startedAt;
          for (const o of outcomes) {
            now += o.afterMs;
            const snapshot: TaskSnapshot | undefined = o.fault
              ? undefined
              : {
                  vendor,
                  kind: 'task',
                  id: 't',
                  state: o.state,
                  terminal: false,
                  rawStatus: o.state.toUpperCase(),
                  raw: {},
                  ...(o.progress === undefined ? {} : { progress: o.progress }),
                  ...(o.etaInMs === undefined ? {} : { eta: new Date(now + o.etaInMs).toISOString() }),
                };
            const outcome: PollOutcome = {
              now,
              hintMs: o.hintMs,
              ...(snapshot ? { snapshot } : { error: new Error('x') }),
            };
            state = advance(state, outcome, POLL, o.random).state;
            const token = encodeState(state);
            // What a token holds is JSON: the state as JSON sees it, exactly.
            const decoded = decodeState(token, vendor);
            expect(decoded).toEqual(JSON.parse(JSON.stringify(state)));
            expect(decodeState(encodeState(decoded), vendor)).toEqual(decoded);
          }
        },
      ),
      settings(200),
    );
  });

  it('any valid state object survives encode and decode', () => {
    const stateArb: fc.Arbitrary<WaitState> = fc.record({
      v: fc.constant(1 as const),
      vendor: fc.constantFrom(...VENDOR_CASES.map((c) => c.name)),
      ref: fc.jsonValue(),
      startedAt: fc.integer({ min: -(2 ** 50), max: 2 ** 50 }),
      polls: fc.nat(),
      attempt: fc.nat(),
      history: fc.array(
        fc.record(
          { at: fc.integer(), progress: fc.double({ min: 0, max: 1, noNaN: true }).map((x) => x + 0) },
          { requiredKeys: ['at'] },
        ),
        { maxLength: 64 },
      ),
      last: fc.option(
        fc.record(
          // JSON has no -0: `+ 0` makes it 0.
          {
            state: fc.string(),
            rawStatus: fc.string(),
            progress: fc.double({ noNaN: true, noDefaultInfinity: true }).map((x) => x + 0),
            at: fc.integer(),
          },
          { requiredKeys: ['state', 'rawStatus', 'at'] },
        ),
        { nil: undefined },
      ),
      eta: fc.option(fc.record({ at: fc.integer(), since: fc.integer() }), { nil: undefined }),
    });
    fc.assert(
      fc.property(stateArb, (state) => {
        const json = JSON.parse(JSON.stringify(state));
        expect(decodeState(encodeState(state), state.vendor)).toEqual(json);
        expect(decodeState(state, state.vendor)).toEqual(decodeState(json, state.vendor));
      }),
      settings(300),
    );
  });

  /** A fetch served by fake tasks directly, without a server. */
  function served(...tasks: AnyFakeTask[]): typeof fetch {
    return (async (input: Parameters<typeof fetch>[0], init?: RequestInit) => {
      const request = input instanceof Request ? input : new Request(input, init);
      const url = new URL(request.url);
      const task = tasks.find((t) => t.matches(url.pathname));
      if (!task) return new Response('{"error":"no such task"}', { status: 404 });
      const answer = task.respond({ method: request.method, url, headers: request.headers });
      return new Response(answer.body === '' ? null : answer.body, { status: answer.status, headers: answer.headers });
    }) as typeof fetch;
  }

  /** The forms a caller may reference a task by: its fake's reference, its URL, and looser spellings. */
  function refsOf(vc: VendorCase, kind: string, id: string): unknown[] {
    const ref = vc.fake.ref(kind, id);
    const fields = (ref && typeof ref === 'object' ? ref : {}) as Record<string, string>;
    const path = (vc.fake.kinds[kind]?.path ?? '').replace(/:(\w+)/g, (_, name: string) =>
      name === 'taskId' ? id : String(fields[name]),
    );
    const refs: unknown[] = [ref, `${NOWHERE}${path}`, { url: path.slice(1) }];
    if (vc.name === 'softwareone') refs.push(`  ${id}  `);
    if (vc.name === 'mixpeek') refs.push({ task_id: id, status: 'PENDING' });
    if ('actionId' in fields) {
      refs.push({ ...fields, actionId: Number(fields.actionId) }, { ...fields, taskId: ` ${id} `, actionType: kind });
    }
    return refs;
  }

  it('wait({ resumeFrom }) and resume() take the token a WaitTimeoutError gave, for every reference form', async () => {
    let timedOut = 0;
    let n = 0;
    const cases = VENDOR_CASES.flatMap((vc) =>
      Object.keys(vc.fake.kinds).flatMap((kind) => refsOf(vc, kind, 'x').map((_, i) => ({ vc, kind, i }))),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...cases),
        fc.integer({ min: 3, max: 8 }),
        fc.integer({ min: 1, max: 4 }),
        async ({ vc, kind, i }, polls, timeoutMs) => {
          const id = vc.id(800_000 + ++n);
          const task = fakeTask(vc.fake, { id, kind, queuedPolls: polls, progress: [0.5] });
          const ref = refsOf(vc, kind, id)[i];
          const client = clientOf(vc, served(task), { wait: { minDelayMs: 2, maxDelayMs: 4 } }) as Client;
          const first = await client.wait(ref, { timeoutMs }).then(
            () => undefined,
            (e: unknown) => e,
          );
          if (first === undefined) return; // it finished in time: nothing to resume
          expect(first).toBeInstanceOf(WaitTimeoutError);
          timedOut++;
          const token = (first as WaitTimeoutError).resumeToken;
          const resumed = await client.wait(ref, { resumeFrom: token });
          expect(resumed).toMatchObject({ state: 'succeeded', id });
          expect(decodeState(token, vc.name).polls).toBe((first as WaitTimeoutError).polls);
          await expect(client.resume(token)).resolves.toMatchObject({ state: 'succeeded', id });
        },
      ),
      settings(60),
    );
    expect(timedOut).toBeGreaterThan(30);
  });
});

const sizesArb = fc.array(fc.nat({ max: 6 }), { minLength: 1, maxLength: 25 });

describe('the delay schedule', () => {
  /** Any options a caller could pass once createClient has checked them. */
  const optionsArb: fc.Arbitrary<PollOptions> = fc
    .record({
      minDelayMs: fc.integer({ min: 1, max: 10_000 }),
      extra: fc.integer({ min: 0, max: 100_000 }),
      factor: fc.double({ min: 1, max: 10, noNaN: true }),
      jitter: fc.double({ min: 0, max: 1, noNaN: true }),
      maxRetryAfterMs: fc.integer({ min: 0, max: 1_000_000 }),
      estimate: fc.boolean(),
      maxEstimateDelayMs: fc.option(fc.integer({ min: 0, max: 3_600_000 }), { nil: undefined }),
      schedule: fc.constantFrom('default' as const, 'economy' as const),
    })
    .map(({ extra, maxEstimateDelayMs, ...rest }) => ({
      ...rest,
      ...(maxEstimateDelayMs === undefined ? {} : { maxEstimateDelayMs }),
      maxDelayMs: rest.minDelayMs + extra,
    }));

  /** Any history: times and progress in any order, repeats, resets, values out of range. */
  const historyArb = fc.array(
    fc.record({
      at: fc.integer({ min: -1e7, max: 1e7 }),
      progress: fc.option(
        fc.oneof(fc.double({ min: -0.5, max: 1.5, noNaN: true }), fc.constantFrom(0, 0.1, 0.25, 0.5, 0.99, 1)),
        { nil: undefined },
      ),
    }),
    { maxLength: 10 },
  );

  const inputArb = fc.record({
    attempt: fc.integer({ min: 0, max: 1000 }),
    now: fc.integer({ min: -1e7, max: 1e7 }),
    etaAt: fc.option(fc.oneof(fc.integer({ min: -1e8, max: 1e8 }), fc.constant(Number.NaN)), { nil: undefined }),
    etaSince: fc.option(fc.integer({ min: -1e8, max: 1e7 }), { nil: undefined }),
    history: historyArb,
    random: fc.double({ min: 0, max: 0.9999, noNaN: true }),
    startedAt: fc.option(fc.integer({ min: -1e8, max: 1e7 }), { nil: undefined }),
    misses: fc.option(fc.integer({ min: 0, max: 5 }), { nil: undefined }),
    missedAt: fc.option(fc.integer({ min: -1e7, max: 1e7 }), { nil: undefined }),
  });
  const hintArb = fc.option(fc.double({ min: -1e12, max: 1e12, noNaN: true }), { nil: undefined });

  /** A delay spread by ±jitter and kept within [min, max], as PollOptions documents it. */
  const applyJitter = (options: PollOptions, delay: number, random: number) =>
    Math.min(options.maxDelayMs, Math.max(options.minDelayMs, delay + delay * options.jitter * (2 * random - 1)));

  /** How many times the time waited an estimate may sleep: 3, whatever the schedule. */
  const growthOf = (_options: PollOptions) => 3;
  const plainOf = (options: PollOptions, input: ScheduleInput) =>
    applyJitter(options, backoffDelay(options, input.attempt), input.random as number);

  it('never waits less than minDelayMs, nor less than a hint allows; always a whole number of ms', () => {
    fc.assert(
      fc.property(optionsArb, inputArb, hintArb, (options, input, hintMs) => {
        const delay = nextDelay(options, { ...input, hintMs });
        expect(Number.isInteger(delay)).toBe(true);
        expect(delay).toBeGreaterThanOrEqual(options.minDelayMs);
        if (hintMs !== undefined) expect(delay).toBeGreaterThanOrEqual(clampHint(options, hintMs));
      }),
      settings(3000),
    );
  });

  it('an overdue task is polled on the backoff again from that moment: within factor × the time since, and the plain backoff', () => {
    const pastArb = fc.integer({ min: 0, max: 1e6 });
    fc.assert(
      fc.property(optionsArb, inputArb, pastArb, (options, input, ago) => {
        // Its eta passed `ago` ms ago; whatever else it became overdue by came later.
        const overdue = { ...input, etaAt: input.now - ago, schedule: 'default' };
        const delay = nextDelay({ ...options, schedule: 'default' }, overdue);
        const plain = plainOf(options, overdue);
        const restarted = applyJitter(
          options,
          Math.min(backoffDelay(options, input.attempt), options.factor * ago),
          input.random,
        );
        expect(delay).toBeLessThanOrEqual(Math.round(plain));
        if (options.estimate) expect(delay).toBeLessThanOrEqual(Math.round(restarted));
      }),
      settings(3000),
    );
  });

  it('never waits longer than the plain backoff would, or 3× the time waited', () => {
    fc.assert(
      fc.property(optionsArb, inputArb, (options, input) => {
        const delay = nextDelay(options, input);
        const waited = input.startedAt === undefined ? 0 : input.now - input.startedAt;
        const bound = Math.max(plainOf(options, input), options.minDelayMs, growthOf(options) * waited);
        expect(delay).toBeLessThanOrEqual(Math.round(bound));
        // So beyond maxDelayMs only an estimate goes, and never past that many times the time waited.
        expect(delay).toBeLessThanOrEqual(Math.max(options.maxDelayMs, Math.ceil(growthOf(options) * waited)));
        const far = Math.max(options.maxDelayMs, options.maxEstimateDelayMs ?? 300_000);
        expect(delay).toBeLessThanOrEqual(far);
      }),
      settings(3000),
    );
  });

  it('with the default schedule, a backoff delay never polls past an eta ahead by more than a quarter of minDelayMs', () => {
    fc.assert(
      fc.property(optionsArb, inputArb, (options, input) => {
        // No progress: the eta alone is the estimate, and nothing makes it doubtful.
        const etaOnly = { ...input, history: input.history.map(({ at }) => ({ at })) };
        const plan = planDelay({ ...options, estimate: true, schedule: 'default' }, etaOnly);
        if (plan.basis !== 'backoff' || etaOnly.etaAt === undefined || !(etaOnly.etaAt > etaOnly.now)) return;
        const stop = Math.max(options.minDelayMs, etaOnly.etaAt - etaOnly.now + options.minDelayMs / 4);
        expect(plan.delayMs).toBeLessThanOrEqual(Math.round(stop));
      }),
      settings(3000),
    );
  });

  it('is the plain backoff when there is no progress and no eta to go on, whatever the schedule', () => {
    fc.assert(
      fc.property(optionsArb, inputArb, (options, input) => {
        const blind = {
          ...input,
          etaAt: undefined,
          misses: undefined,
          history: input.history.map(({ at }) => ({ at })),
        };
        expect(planDelay({ ...options, estimate: true }, blind)).toEqual({
          delayMs: Math.round(plainOf(options, blind)),
          basis: 'backoff',
        });
      }),
      settings(1000),
    );
  });

  it('ignores every estimate input when estimate is false', () => {
    fc.assert(
      fc.property(optionsArb, inputArb, hintArb, (options, input, hintMs) => {
        const off = { ...options, estimate: false };
        const plain = { attempt: input.attempt, now: input.now, hintMs, random: input.random };
        expect(nextDelay(off, { ...input, hintMs })).toBe(nextDelay(off, plain));
      }),
      settings(1000),
    );
  });

  /** One whole wait through `advance`: each poll comes its delay (plus a request's latency) after the last. */
  const waitArb = fc.record({
    startedAt: fc.integer({ min: 0, max: 2 ** 42 }),
    polls: fc.array(
      fc.record({
        progress: fc.option(fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(0, 0.5, 0.99, 1)), {
          nil: undefined,
        }),
        etaInMs: fc.option(fc.integer({ min: -60_000, max: 3_600_000 }), { nil: undefined }),
        latencyMs: fc.integer({ min: 0, max: 5000 }),
        random: fc.double({ min: 0, max: 0.999_999, noNaN: true }),
        // One poll in ten is a transient fault.
        fault: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
      }),
      { minLength: 1, maxLength: 40 },
    ),
  });

  function* steps(
    options: PollOptions,
    wait: {
      startedAt: number;
      polls: {
        progress?: number | undefined;
        etaInMs?: number | undefined;
        latencyMs: number;
        random: number;
        fault: boolean;
      }[];
    },
  ) {
    let state = initialState('acme', 'j1', wait.startedAt);
    let now = wait.startedAt;
    for (const poll of wait.polls) {
      const snapshot: TaskSnapshot = {
        vendor: 'acme',
        kind: 'job',
        id: 'j1',
        state: 'running',
        terminal: false,
        rawStatus: 'RUNNING',
        raw: {},
        ...(poll.progress === undefined ? {} : { progress: poll.progress }),
        ...(poll.etaInMs === undefined ? {} : { eta: new Date(now + poll.etaInMs).toISOString() }),
      };
      const before = state;
      const outcome = poll.fault ? { error: new Error('503'), now } : { snapshot, now };
      const step = advance(state, outcome, options, poll.random);
      yield { before, step, now, random: poll.random, fault: poll.fault };
      state = step.state;
      now += step.delayMs + poll.latencyMs;
    }
  }

  it('over a whole wait, a poll that finds the task running past an aimed end restarts the backoff from that end', () => {
    fc.assert(
      fc.property(waitArb, (wait) => {
        for (const { before, step, now, random, fault } of steps(DEFAULT_POLL_OPTIONS, wait)) {
          if (fault || before.aimAt === undefined || now < before.aimAt) continue;
          expect(step.state.misses).toBe((before.misses ?? 0) + 1);
          const since = now - before.aimAt;
          const restarted = applyJitter(
            DEFAULT_POLL_OPTIONS,
            Math.min(backoffDelay(DEFAULT_POLL_OPTIONS, before.attempt), 2 * since),
            random,
          );
          expect(step.delayMs).toBeLessThanOrEqual(Math.round(restarted));
        }
      }),
      settings(500),
    );
  });

  it('over a whole wait with the default options, no delay exceeds 3× the time waited (after the first, at most 1.2 s)', () => {
    for (const schedule of ['default', 'economy'] as const) {
      fc.assert(
        fc.property(waitArb, (wait) => {
          for (const { step, now } of steps({ ...DEFAULT_POLL_OPTIONS, schedule }, wait)) {
            expect(step.delayMs).toBeLessThanOrEqual(Math.max(1200, 3 * (now - wait.startedAt)));
          }
        }),
        settings(500),
      );
    }
  });
});

describe('paging yields each row exactly once', () => {
  it('core paginate: any page sizes (empty pages too), any cursor type, with or without prefetch', async () => {
    const cursorOf = {
      number: (k: number) => k * 10,
      string: (k: number) => `c-${k}`,
      object: (k: number) => ({ page: k, token: `t${k}` }),
    };
    await fc.assert(
      fc.asyncProperty(
        sizesArb,
        fc.constantFrom('number', 'string', 'object') as fc.Arbitrary<keyof typeof cursorOf>,
        fc.constantFrom(0, 1),
        fc.boolean(),
        async (sizes, style, prefetch, wholePages) => {
          const starts = sizes.map((_, k) => sizes.slice(0, k).reduce((a, b) => a + b, 0));
          const fetched: number[] = [];
          const source = {
            first: cursorOf[style](0),
            async fetch(cursor: unknown) {
              const k = sizes.findIndex((_, i) => JSON.stringify(cursorOf[style](i)) === JSON.stringify(cursor));
              fetched.push(k);
              await Promise.resolve();
              const items = Array.from({ length: sizes[k] as number }, (_, j) => (starts[k] as number) + j);
              return { items, meta: { k }, next: k + 1 < sizes.length ? cursorOf[style](k + 1) : undefined };
            },
          };
          const total = sizes.reduce((a, b) => a + b, 0);
          const walk = paginate(source, { prefetch });
          const rows: number[] = [];
          if (wholePages) {
            const seenSizes: number[] = [];
            for await (const page of walk.pages()) {
              seenSizes.push(page.items.length);
              rows.push(...page.items);
            }
            expect(seenSizes).toEqual(sizes);
          } else {
            for await (const row of walk) rows.push(row);
          }
          expect(rows).toEqual(Array.from({ length: total }, (_, i) => i));
          expect(fetched).toEqual(sizes.map((_, k) => k));
        },
      ),
      settings(300),
    );
  });

  it('core paginate: a break anywhere yields a prefix, and no page is fetched twice', async () => {
    await fc.assert(
      fc.asyncProperty(sizesArb, fc.nat({ max: 60 }), fc.constantFrom(0, 1), async (sizes, stopAt, prefetch) => {
        const starts = sizes.map((_, k) => sizes.slice(0, k).reduce((a, b) => a + b, 0));
        const fetched: number[] = [];
        const walk = paginate(
          {
            first: 0,
            async fetch(cursor: unknown) {
              const k = cursor as number;
              fetched.push(k);
              const items = Array.from({ length: sizes[k] as number }, (_, j) => (starts[k] as number) + j);
              return { items, meta: undefined, next: k + 1 < sizes.length ? k + 1 : undefined };
            },
          },
          { prefetch },
        );
        const rows: number[] = [];
        for await (const row of walk) {
          if (rows.length === stopAt) break;
          rows.push(row);
        }
        expect(rows).toEqual(Array.from({ length: rows.length }, (_, i) => i));
        expect(new Set(fetched).size).toBe(fetched.length);
      }),
      settings(300),
    );
  });

  it('Mixpeek tasks(): cursor pages of any size, empty pages with a next cursor too', async () => {
    await fc.assert(
      fc.asyncProperty(sizesArb, async (sizes) => {
        const starts = sizes.map((_, k) => sizes.slice(0, k).reduce((a, b) => a + b, 0));
        const fetch = (async (input: Parameters<typeof globalThis.fetch>[0]) => {
          const url = new URL(input instanceof Request ? input.url : String(input));
          const k = Number((url.searchParams.get('cursor') ?? 'page-0').slice('page-'.length));
          const results = Array.from({ length: sizes[k] as number }, (_, j) => ({
            task_id: `task_${(starts[k] as number) + j}`,
            task_type: 'thumbnail',
            status: 'COMPLETED',
          }));
          const pagination = { next_cursor: k + 1 < sizes.length ? `page-${k + 1}` : null };
          return new Response(JSON.stringify({ results, pagination }), {
            headers: { 'content-type': 'application/json' },
          });
        }) as typeof globalThis.fetch;
        const client = createClient(mixpeek, { baseUrl: NOWHERE, token: 'sk_test_props', fetch });
        const ids = (await client.tasks().toArray({ limit: Number.POSITIVE_INFINITY })).map((t) => t.task_id);
        const total = sizes.reduce((a, b) => a + b, 0);
        expect(ids).toEqual(Array.from({ length: total }, (_, i) => `task_${i}`));
      }),
      settings(150),
    );
  });

  it('Layer IQ issues(): numbered pages of any size, the first embedded in the task', async () => {
    await fc.assert(
      fc.asyncProperty(sizesArb, async (sizes) => {
        const starts = sizes.map((_, k) => sizes.slice(0, k).reduce((a, b) => a + b, 0));
        const fetch = (async (input: Parameters<typeof globalThis.fetch>[0]) => {
          const url = new URL(input instanceof Request ? input.url : String(input));
          const page = Number(url.searchParams.get('issuesPage') ?? '1');
          const k = page - 1;
          const data = Array.from({ length: sizes[k] ?? 0 }, (_, j) => ({
            code: 'invalid_row',
            message: 'rejected',
            rowIndex: (starts[k] as number) + j,
            severity: 'ERROR',
          }));
          const issues = { data, pagination: { page, hasMore: page < sizes.length } };
          const task = { taskId: 'run_1', status: 'COMPLETE', mode: 'INGEST', progress: 1, counts: {}, issues };
          return new Response(JSON.stringify(task), { headers: { 'content-type': 'application/json' } });
        }) as typeof globalThis.fetch;
        const client = createClient(layerIq, { baseUrl: NOWHERE, token: 'liq_test_props', fetch });
        const rows = (await client.issues('run_1').toArray({ limit: Number.POSITIVE_INFINITY })).map((i) => i.rowIndex);
        const total = sizes.reduce((a, b) => a + b, 0);
        expect(rows).toEqual(Array.from({ length: total }, (_, i) => i));
      }),
      settings(150),
    );
  });
});
