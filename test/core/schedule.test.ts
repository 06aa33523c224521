import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  backoffDelay,
  clampHint,
  DEFAULT_POLL_OPTIONS,
  estimate,
  estimateEnd,
  nextDelay,
  type PollOptions,
  planDelay,
} from '../../src/core/poll/schedule.js';
import { advance, decodeState, encodeState, initialState, type TaskSnapshot, type WaitState } from '../../src/index.js';

const noJitter: PollOptions = { ...DEFAULT_POLL_OPTIONS, jitter: 0, estimate: false };

describe('nextDelay', () => {
  it('grows by the factor from 1 s to the 30 s cap and stays there', () => {
    const delays = Array.from({ length: 9 }, (_, attempt) => nextDelay(noJitter, { attempt, now: 0 }));
    expect(delays).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000, 30000]);
  });

  it('spreads each delay by at most the jitter fraction and never leaves [min, max]', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 60 }),
        fc.double({ min: 0, max: 0.9999, noNaN: true }),
        (attempt, random) => {
          const delay = nextDelay({ ...DEFAULT_POLL_OPTIONS, estimate: false }, { attempt, now: 0, random });
          const base = backoffDelay(DEFAULT_POLL_OPTIONS, attempt);
          expect(delay).toBeGreaterThanOrEqual(Math.max(1000, Math.floor(base * 0.8)));
          expect(delay).toBeLessThanOrEqual(Math.min(30000, Math.ceil(base * 1.2)));
        },
      ),
    );
  });

  it('jitter actually varies the delay', () => {
    const low = nextDelay({ ...DEFAULT_POLL_OPTIONS, estimate: false }, { attempt: 3, now: 0, random: 0 });
    const high = nextDelay({ ...DEFAULT_POLL_OPTIONS, estimate: false }, { attempt: 3, now: 0, random: 0.999 });
    expect(low).toBe(6400);
    expect(high).toBeGreaterThan(9500);
  });

  it('treats a server hint as a floor: the next poll never comes before it allows', () => {
    expect(nextDelay(noJitter, { attempt: 0, now: 0, hintMs: 7000 })).toBe(7000);
    // A hint shorter than the backoff does not speed the wait up.
    expect(nextDelay(noJitter, { attempt: 5, now: 0, hintMs: 2000 })).toBe(30000);
  });

  it('clamps a zero hint to the minimum delay and a huge one to maxRetryAfterMs', () => {
    expect(nextDelay(noJitter, { attempt: 0, now: 0, hintMs: 0 })).toBe(1000);
    expect(nextDelay(noJitter, { attempt: 0, now: 0, hintMs: 10 ** 12 })).toBe(300_000);
    expect(nextDelay({ ...noJitter, maxRetryAfterMs: 60_000 }, { attempt: 0, now: 0, hintMs: 10 ** 9 })).toBe(60_000);
  });

  it('stays within bounds for any options and any hint (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 0, max: 100_000 }),
        fc.double({ min: 1, max: 10, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: 0, max: 1000 }),
        fc.option(fc.double({ min: -1e12, max: 1e12, noNaN: true })),
        fc.double({ min: 0, max: 0.9999, noNaN: true }),
        (min, extra, factor, jitter, attempt, hint, random) => {
          const options: PollOptions = {
            ...DEFAULT_POLL_OPTIONS,
            minDelayMs: min,
            maxDelayMs: min + extra,
            factor,
            jitter,
          };
          const delay = nextDelay(options, { attempt, now: 0, hintMs: hint ?? undefined, random });
          expect(delay).toBeGreaterThanOrEqual(min);
          expect(delay).toBeLessThanOrEqual(Math.max(min + extra, options.maxRetryAfterMs));
          expect(Number.isFinite(delay)).toBe(true);
        },
      ),
    );
  });
});

describe('estimateEnd', () => {
  it('extrapolates the progress rate seen across polls', () => {
    const end = estimateEnd({
      now: 20_000,
      history: [
        { at: 0, progress: 0 },
        { at: 10_000, progress: 0.25 },
        { at: 20_000, progress: 0.5 },
      ],
    });
    expect(end).toBe(40_000);
  });

  it('prefers the vendor eta and ignores one in the past', () => {
    expect(estimateEnd({ now: 1000, etaAt: 5000 })).toBe(5000);
    expect(estimateEnd({ now: 9000, etaAt: 5000 })).toBeUndefined();
  });

  it('gives nothing without at least two progress points that moved', () => {
    expect(estimateEnd({ now: 0, history: [{ at: 0, progress: 0.5 }] })).toBeUndefined();
    expect(
      estimateEnd({
        now: 0,
        history: [
          { at: 0, progress: 0.5 },
          { at: 10, progress: 0.5 },
        ],
      }),
    ).toBeUndefined();
  });

  it('polls sooner than the backoff when the estimate says the task is about to end', () => {
    const options = { ...DEFAULT_POLL_OPTIONS, jitter: 0 };
    const history = [
      { at: 0, progress: 0.8 },
      { at: 10_000, progress: 0.9 },
    ];
    const delay = nextDelay(options, { attempt: 5, now: 10_000, history });
    expect(delay).toBeLessThan(30_000);
    expect(delay).toBeGreaterThanOrEqual(10_000);
  });
});

const SECOND = 1000;
const defaults: PollOptions = { ...DEFAULT_POLL_OPTIONS, jitter: 0 };

/** Any options a caller could pass once createClient has checked them. */
const anyOptions = fc.record({
  minDelayMs: fc.integer({ min: 1, max: 10_000 }),
  extra: fc.integer({ min: 0, max: 100_000 }),
  factor: fc.double({ min: 1, max: 10, noNaN: true }),
  jitter: fc.double({ min: 0, max: 1, noNaN: true }),
  maxRetryAfterMs: fc.integer({ min: 0, max: 1_000_000 }),
  estimate: fc.boolean(),
  maxEstimateDelayMs: fc.option(fc.integer({ min: 0, max: 3_600_000 }), { nil: undefined }),
});

/** Any history: times and progress in any order, repeats, resets, values out of range. */
const anyHistory = fc.array(
  fc.record({
    at: fc.integer({ min: -1e7, max: 1e7 }),
    progress: fc.option(fc.oneof(fc.double({ min: -0.5, max: 1.5, noNaN: true }), fc.constantFrom(0, 0.25, 1)), {
      nil: undefined,
    }),
  }),
  { maxLength: 10 },
);

const anyInput = fc.record({
  attempt: fc.integer({ min: 0, max: 1000 }),
  now: fc.integer({ min: -1e7, max: 1e7 }),
  hintMs: fc.option(fc.double({ min: -1e12, max: 1e12, noNaN: true }), { nil: undefined }),
  etaAt: fc.option(fc.oneof(fc.integer({ min: -1e8, max: 1e8 }), fc.constant(Number.NaN)), { nil: undefined }),
  history: anyHistory,
  random: fc.double({ min: 0, max: 0.9999, noNaN: true }),
  startedAt: fc.option(fc.integer({ min: -1e8, max: 1e7 }), { nil: undefined }),
  misses: fc.option(fc.integer({ min: 0, max: 5 }), { nil: undefined }),
  missedAt: fc.option(fc.integer({ min: -1e7, max: 1e7 }), { nil: undefined }),
});

const toOptions = (o: {
  minDelayMs: number;
  extra: number;
  factor: number;
  jitter: number;
  maxRetryAfterMs: number;
  estimate: boolean;
  maxEstimateDelayMs: number | undefined;
}): PollOptions => {
  const { extra, ...rest } = o;
  return { ...rest, maxDelayMs: o.minDelayMs + extra };
};

describe('nextDelay with estimates (properties)', () => {
  it('stays within its bounds for any options, any history and any hints', () => {
    fc.assert(
      fc.property(anyOptions, anyInput, (raw, input) => {
        const options = toOptions(raw);
        const delay = nextDelay(options, input);
        const hint = input.hintMs === undefined ? 0 : clampHint(options, input.hintMs);
        const ceiling = Math.max(options.maxDelayMs, options.maxEstimateDelayMs ?? 300_000);
        expect(Number.isInteger(delay)).toBe(true);
        expect(delay).toBeGreaterThanOrEqual(options.minDelayMs);
        expect(delay).toBeLessThanOrEqual(Math.max(ceiling, Math.ceil(hint)));
        if (input.startedAt === undefined || !options.estimate) {
          expect(delay).toBeLessThanOrEqual(Math.max(options.maxDelayMs, Math.ceil(hint)));
        } else if (delay > options.maxDelayMs && delay > Math.ceil(hint)) {
          // Beyond maxDelayMs only an estimate goes, and never past twice the time waited.
          expect(delay).toBeLessThanOrEqual(Math.ceil(2 * (input.now - input.startedAt)));
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('treats a hint as a floor, whatever the estimate says', () => {
    fc.assert(
      fc.property(anyOptions, anyInput, fc.double({ min: 0, max: 1e9, noNaN: true }), (raw, input, hintMs) => {
        const options = toOptions(raw);
        expect(nextDelay(options, { ...input, hintMs })).toBeGreaterThanOrEqual(clampHint(options, hintMs));
      }),
      { numRuns: 1000 },
    );
  });

  it('is the plain backoff when there is no progress and no eta to go on', () => {
    fc.assert(
      fc.property(anyOptions, anyInput, (raw, input) => {
        const options = toOptions(raw);
        const blind = {
          ...input,
          etaAt: undefined,
          misses: undefined,
          history: input.history.map(({ at }) => ({ at })),
        };
        expect(nextDelay({ ...options, estimate: true }, blind)).toBe(
          nextDelay({ ...options, estimate: false }, blind),
        );
      }),
    );
  });

  it('ignores every estimate input when estimate is false', () => {
    fc.assert(
      fc.property(anyOptions, anyInput, (raw, input) => {
        const options = { ...toOptions(raw), estimate: false };
        const plain = { attempt: input.attempt, now: input.now, hintMs: input.hintMs, random: input.random };
        expect(nextDelay(options, input)).toBe(nextDelay(options, plain));
      }),
    );
  });
});

describe('planDelay: estimates', () => {
  const startedAt = 0;

  it('aims just after a near eta instead of backing off', () => {
    const plan = planDelay(defaults, { attempt: 0, now: 0, startedAt, etaAt: 10 * SECOND });
    expect(plan).toMatchObject({ basis: 'aim', aimAt: 10 * SECOND });
    // The expected error (20 % of the 10 s left) plus a quarter of the minimum delay.
    expect(plan.delayMs).toBe(10 * SECOND + 2 * SECOND + 250);
  });

  it('steps towards a far estimate, within maxDelayMs early on and twice the time waited later', () => {
    const etaAt = 2 * 3600 * SECOND;
    expect(planDelay(defaults, { attempt: 0, now: 0, startedAt, etaAt })).toEqual({
      basis: 'approach',
      delayMs: 30 * SECOND,
    });
    expect(planDelay(defaults, { attempt: 6, now: 60 * SECOND, startedAt, etaAt }).delayMs).toBe(120 * SECOND);
    // After 10 minutes of waiting, maxEstimateDelayMs (5 minutes) is the bound.
    expect(planDelay(defaults, { attempt: 9, now: 600 * SECOND, startedAt, etaAt }).delayMs).toBe(300 * SECOND);
    expect(
      planDelay({ ...defaults, maxEstimateDelayMs: 30 * SECOND }, { attempt: 9, now: 600 * SECOND, startedAt, etaAt })
        .delayMs,
    ).toBe(30 * SECOND);
  });

  it('never steps past the estimated end on the way: at most 60 % of the time left when unsure', () => {
    const history = [
      { at: 0, progress: 0 },
      { at: 60 * SECOND, progress: 0.1 },
    ];
    // 540 s left by the rate, but one 10 % step says little: spread 1.1, so 60 % of it.
    const plan = planDelay(defaults, { attempt: 6, now: 60 * SECOND, startedAt, history });
    expect(plan.basis).toBe('approach');
    expect(plan.delayMs).toBe(120 * SECOND);
    const later = planDelay(defaults, { attempt: 6, now: 600 * SECOND, startedAt: -3600 * SECOND, history });
    expect(later.delayMs).toBeLessThan(540 * SECOND);
  });

  it('measures the rate of the latest step, so time queued at 0 % does not slow it down', () => {
    const history = [
      { at: 0, progress: 0 },
      { at: 30 * SECOND, progress: 0 },
      { at: 40 * SECOND, progress: 0.2 },
    ];
    expect(estimateEnd({ now: 40 * SECOND, history })).toBe(80 * SECOND);
  });

  it('measures the rate up to the first poll that saw the current value, so a stall does not push the end out', () => {
    const history = [
      { at: 0, progress: 0.1 },
      { at: 10 * SECOND, progress: 0.2 },
      { at: 20 * SECOND, progress: 0.3 },
      { at: 80 * SECOND, progress: 0.3 },
    ];
    // At 0.1 per 10 s, 70 % is 70 s of work from now.
    expect(estimateEnd({ now: 80 * SECOND, history })).toBe(150 * SECOND);
  });

  it('starts over when progress drops (a new phase)', () => {
    const history = [
      { at: 0, progress: 0.5 },
      { at: 10 * SECOND, progress: 0.9 },
      { at: 20 * SECOND, progress: 0.1 },
    ];
    expect(estimateEnd({ now: 20 * SECOND, history })).toBeUndefined();
    expect(estimateEnd({ now: 30 * SECOND, history: [...history, { at: 30 * SECOND, progress: 0.2 }] })).toBe(
      110 * SECOND,
    );
  });

  it('is less sure of coarse or accelerating progress', () => {
    const fine = estimate({
      now: 20,
      history: [
        { at: 0, progress: 0.01 },
        { at: 10, progress: 0.26 },
        { at: 20, progress: 0.51 },
      ],
    });
    const coarse = estimate({
      now: 20,
      history: [
        { at: 0, progress: 0 },
        { at: 10, progress: 0.25 },
        { at: 20, progress: 0.5 },
      ],
    });
    const faster = estimate({
      now: 20,
      history: [
        { at: 0, progress: 0.01 },
        { at: 10, progress: 0.06 },
        { at: 20, progress: 0.51 },
      ],
    });
    expect(fine?.spread).toBeCloseTo(0.14, 5);
    expect(coarse?.spread).toBeCloseTo(1.1, 5);
    expect(faster?.spread).toBeGreaterThan(0.6);
  });

  it('once overdue restarts the backoff from the moment it became so, never above the plain backoff', () => {
    // An eta 3 s past: 3 s, not the 30 s the attempt count says.
    expect(nextDelay(defaults, { attempt: 9, now: 100 * SECOND, startedAt, etaAt: 97 * SECOND })).toBe(3 * SECOND);
    // An eta long past on the first poll: still the plain first delay.
    expect(nextDelay(defaults, { attempt: 0, now: 100 * SECOND, startedAt, etaAt: 0 })).toBe(SECOND);
    // At 100 % and still running: since the last poll that saw it below.
    const history = [
      { at: 90 * SECOND, progress: 0.8 },
      { at: 100 * SECOND, progress: 1 },
    ];
    expect(nextDelay(defaults, { attempt: 9, now: 100 * SECOND, startedAt, history })).toBe(10 * SECOND);
  });
});

describe('advance: aim, miss and fault', () => {
  const running = (progress?: number, eta?: string): TaskSnapshot => ({
    vendor: 'acme',
    kind: 'job',
    id: 'j1',
    state: 'running',
    terminal: false,
    rawStatus: 'working',
    raw: {},
    ...(progress === undefined ? {} : { progress }),
    ...(eta === undefined ? {} : { eta }),
  });
  const at = (s: number) => new Date(s * SECOND).toISOString();

  it('aims at a near eta, and a poll after it that finds the task running is a miss that restarts the backoff', () => {
    let state = initialState('acme', 'j1', 0);
    const first = advance(state, { snapshot: running(undefined, at(20)), now: 0 }, defaults);
    expect(first.state.aimAt).toBe(20 * SECOND);
    expect(first.delayMs).toBe(24_250);
    state = first.state;
    // Still running at 24.25 s, and the vendor now says 60 s: the estimate may lengthen the wait.
    const second = advance(state, { snapshot: running(undefined, at(60)), now: 24_250 }, defaults);
    expect(second.state.misses).toBe(1);
    expect(second.state.missedAt).toBe(20 * SECOND);
    expect(second.delayMs).toBeGreaterThan(4250);
    // Had the vendor said nothing more, the backoff restarts from the 4.25 s overrun (never above
    // the plain backoff: 2 s at this second delay, 30 s later on).
    const blind = advance(state, { snapshot: running(), now: 24_250 }, defaults);
    expect(blind.delayMs).toBe(2000);
    expect(advance({ ...state, attempt: 8 }, { snapshot: running(), now: 24_250 }, defaults).delayMs).toBe(4250);
    expect(blind.state.aimAt).toBeUndefined();
    // The miss survives a resume token.
    expect(decodeState(encodeState(second.state), 'acme')).toEqual(second.state);
  });

  it('meets a transient fault with the backoff, never with an estimate', () => {
    const state: WaitState = {
      ...initialState('acme', 'j1', 0),
      attempt: 3,
      history: [
        { at: 0, progress: 0.1 },
        { at: 10 * SECOND, progress: 0.9 },
      ],
    };
    const step = advance(state, { error: new Error('503'), now: 10 * SECOND }, defaults);
    expect(step.delayMs).toBe(8 * SECOND);
    expect(step.state.history).toBe(state.history);
  });
});
