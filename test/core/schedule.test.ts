// The delay schedule, through the public exports: exact delays for given inputs (jitter fixed
// through `random`), one test per decision. Properties over any input and over whole waits are in
// test/reliability/properties.test.ts.
import fc from 'fast-check';
import { HttpResponse, http } from 'msw';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  ConfigError,
  createClient,
  DEFAULT_POLL_OPTIONS,
  decodeState,
  encodeState,
  type PollOptions,
  type TaskSnapshot,
  type WaitState,
} from '../../src/index.js';
import {
  advance,
  backoffDelay,
  clampHint,
  estimate,
  estimateCeiling,
  estimateEnd,
  initialState,
  nextDelay,
  type Observation,
  planDelay,
} from '../../src/schedule.js';
import { acme } from '../helpers/acme.js';
import { useMsw } from '../helpers/server.js';

const server = useMsw();
const SECOND = 1000;
const noJitter: PollOptions = { ...DEFAULT_POLL_OPTIONS, jitter: 0, estimate: false };
const defaults: PollOptions = { ...DEFAULT_POLL_OPTIONS, jitter: 0 };
const economy: PollOptions = { ...defaults, schedule: 'economy' };
const startedAt = 0;

/** Observations from `[seconds, progress]` pairs. */
const seen = (...pairs: [number, number][]): Observation[] =>
  pairs.map(([s, progress]) => ({ at: s * SECOND, progress }));

describe('the plain backoff', () => {
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
    const plain = { ...DEFAULT_POLL_OPTIONS, estimate: false };
    expect(nextDelay(plain, { attempt: 3, now: 0, random: 0 })).toBe(6400);
    expect(nextDelay(plain, { attempt: 3, now: 0, random: 0.75 })).toBe(8800);
  });

  it('treats a server hint as a floor: the next poll never comes before it allows', () => {
    expect(planDelay(noJitter, { attempt: 0, now: 0, hintMs: 7000 })).toEqual({ delayMs: 7000, basis: 'hint' });
    // A hint shorter than the backoff does not speed the wait up.
    expect(planDelay(noJitter, { attempt: 5, now: 0, hintMs: 2000 })).toEqual({ delayMs: 30000, basis: 'backoff' });
    // A hint as long as the backoff changes nothing, not even the reason.
    expect(planDelay(noJitter, { attempt: 3, now: 0, hintMs: 8000 })).toEqual({ delayMs: 8000, basis: 'backoff' });
  });

  it('clamps a zero hint to the minimum delay and a huge one to maxRetryAfterMs', () => {
    expect(nextDelay(noJitter, { attempt: 0, now: 0, hintMs: 0 })).toBe(1000);
    expect(nextDelay(noJitter, { attempt: 0, now: 0, hintMs: 10 ** 12 })).toBe(300_000);
    expect(nextDelay({ ...noJitter, maxRetryAfterMs: 60_000 }, { attempt: 0, now: 0, hintMs: 10 ** 9 })).toBe(60_000);
    expect(clampHint(noJitter, 1500.5)).toBe(1500.5);
  });
});

describe('schedule option', () => {
  it("is 'default' unless 'economy' is asked for, and anything else is a ConfigError naming it", () => {
    expect(DEFAULT_POLL_OPTIONS.schedule).toBe('default');
    const input = { attempt: 9, now: 100 * SECOND, startedAt, etaAt: 97 * SECOND };
    const { schedule: _, ...unnamed } = defaults;
    expect(nextDelay(unnamed, input)).toBe(nextDelay(defaults, input));
    for (const schedule of ['fast', '', 'Economy', 42, null]) {
      const options = { ...defaults, schedule } as unknown as PollOptions;
      expect(() => planDelay(options, input)).toThrow(ConfigError);
    }
    const error = (() => {
      try {
        planDelay({ ...defaults, schedule: 'fast' as 'default' }, input);
      } catch (caught) {
        return caught as ConfigError;
      }
    })();
    expect(error?.field).toBe('schedule');
    expect(error?.message).toBe(`schedule must be 'default' or 'economy', got "fast"`);
    // A long name is quoted by its first 40 characters only.
    expect(() => planDelay({ ...defaults, schedule: `economy${'!'.repeat(100)}` as 'economy' }, input)).toThrow(
      `schedule must be 'default' or 'economy', got "economy${'!'.repeat(33)}"`,
    );
  });

  it('is checked even when estimates are off, and on a transient fault', () => {
    const bad = { ...noJitter, schedule: 7 } as unknown as PollOptions;
    expect(() => nextDelay(bad, { attempt: 0, now: 0 })).toThrow('got number');
    const state = initialState('acme', 'j1', 0);
    expect(() => advance(state, { error: new Error('503'), now: 0 }, bad)).toThrow(ConfigError);
  });
});

describe('estimate: from an eta', () => {
  it('trusts a fresh eta to 30 % of the time left', () => {
    expect(estimate({ now: 0, etaAt: 10 * SECOND })).toEqual({ end: 10 * SECOND, spread: 0.3 });
  });

  it('trusts an eta given long ago to 30 % of the time since it was given', () => {
    expect(estimate({ now: 50 * SECOND, etaAt: 100 * SECOND, etaSince: 0 })).toEqual({ end: 100_000, spread: 0.6 });
    // A `since` that is not in the past is `now`.
    expect(estimate({ now: 50 * SECOND, etaAt: 100 * SECOND, etaSince: 60 * SECOND })?.spread).toBe(0.3);
    expect(estimate({ now: 50 * SECOND, etaAt: 100 * SECOND, etaSince: Number.NaN })?.spread).toBe(0.3);
  });

  it('ignores an eta in the past, or one that is not a number', () => {
    expect(estimateEnd({ now: 9000, etaAt: 5000 })).toBeUndefined();
    expect(estimateEnd({ now: 9000, etaAt: Number.NaN })).toBeUndefined();
    // An eta that is now has passed: no end of zero length, with an endless spread.
    expect(estimate({ now: 9000, etaAt: 9000 })).toBeUndefined();
    // ...and goes by the progress instead.
    expect(estimateEnd({ now: 20 * SECOND, etaAt: 5000, history: seen([0, 0], [10, 0.25], [20, 0.5]) })).toBe(40_000);
    expect(estimate({ now: 20 * SECOND, etaAt: 20 * SECOND, history: seen([0, 0], [10, 0.25], [20, 0.5]) })).toEqual({
      end: 40_000,
      spread: 0.6,
    });
  });
});

describe('estimate: from progress', () => {
  it('needs two polls that saw progress move', () => {
    expect(estimate({ now: 0, history: seen([0, 0.5]) })).toBeUndefined();
    expect(estimate({ now: 10, history: seen([0, 0.5], [0.01, 0.5]) })).toBeUndefined();
    expect(estimate({ now: 10, history: seen([0, 0.5], [0.01, 1]) })).toBeUndefined();
    expect(estimate({ now: 0, history: [{ at: 0 }, { at: 10 }] })).toBeUndefined();
  });

  it('counts the rounding of coarse steps: 25 % steps make a wide spread', () => {
    // Gained 0.5 ± 0.25 in 20 s: the rate is 0.025/s ± 50 %; the rest (0.5) takes 20 s.
    expect(estimate({ now: 20 * SECOND, history: seen([0, 0], [10, 0.25], [20, 0.5]) })).toEqual({
      end: 40 * SECOND,
      spread: 0.6,
    });
  });

  it('goes by the fastest window, so a stall inside the latest step does not push the end out', () => {
    // 0.1 → 0.3 in 10 s (±0.05): 0.02/s; the stall since then does not slow it down.
    const guess = estimate({ now: 60 * SECOND, history: seen([0, 0.1], [10, 0.3], [60, 0.35]) });
    expect(guess?.end).toBe(92_500);
    expect(guess?.spread).toBeCloseTo(0.35, 12);
  });

  it('pins where each value was crossed: the first poll to see a value saw it within one poll gap', () => {
    // 10 % steps over 10 minutes: 0.1 was crossed in (30 s, 60 s], 0.2 in (600 s, 630 s].
    const guess = estimate({ now: 630 * SECOND, history: seen([0, 0], [30, 0], [60, 0.1], [600, 0.1], [630, 0.2]) });
    // 0.1 in 570..600 s: the rate is the midpoint of those bounds, 5.3 % off at most.
    const rate = (0.1 / 600_000 + 0.1 / 540_000) / 2;
    expect(guess?.end).toBeCloseTo(630_000 + 0.8 / rate, 6);
    expect(guess?.spread).toBeCloseTo(0.1 + (0.1 / 540_000 - 0.1 / 600_000) / (2 * rate), 12);
  });

  it('takes the narrower of two windows that are surely as fast', () => {
    // 0 → 0.9 in 50 s (±0.1) and 0 → 0.5 in 25 s (±0.1) are both surely 0.016/s; the first is narrower.
    const guess = estimate({ now: 50 * SECOND, history: seen([0, 0], [25, 0.5], [50, 0.9]) });
    expect(guess?.end).toBeCloseTo(50_000 + 0.1 / 0.000018, 6);
    expect(guess?.spread).toBeCloseTo(0.1 + 0.004 / 0.036, 12);
  });

  it('treats values on no grid as steps of 0.1 %', () => {
    const guess = estimate({ now: 20 * SECOND, history: seen([0, 0.1234], [10, 0.2345], [20, 0.3456]) });
    // 0.2222 ± 0.001 in 20 s.
    const rate = 0.2222 / 20_000;
    expect(guess?.end).toBeCloseTo(20_000 + 0.6544 / rate, 6);
    expect(guess?.spread).toBeCloseTo(0.1 + 0.001 / 0.2222, 9);
  });

  it('judges a task that speeds up by its latest, fastest step', () => {
    // 0.06 → 0.51 between first sightings at 10 s and 20 s: 0.045/s ± 0.001, not the 0.025/s average.
    const guess = estimate({ now: 20 * SECOND, history: seen([0, 0.01], [10, 0.06], [20, 0.51]) });
    expect(guess?.end).toBeCloseTo(20_000 + 0.49 / 0.000045, 6);
    expect(guess?.spread).toBeCloseTo(0.1 + 0.002 / 0.09, 12);
  });

  it('counts the time sat at a value, less one step, as not yet spent', () => {
    // 0.3 by 30 s (±0.1): 0.01/s. Still 0.3 at 50 s, so at most 0.4 done: 0.6 left from 50 s.
    const guess = estimate({ now: 50 * SECOND, history: seen([0, 0], [30, 0.3], [50, 0.3]) });
    expect(guess?.end).toBeCloseTo(110 * SECOND, 6);
    expect(guess?.spread).toBeCloseTo(0.1 + 1 / 3, 12);
  });

  it('starts a run after a poll without progress', () => {
    const history: Observation[] = [{ at: 0, progress: 0.1 }, { at: 10 * SECOND }, ...seen([20, 0.2], [30, 0.3])];
    // From 0.2 → 0.3 alone (±0.1): 0.01/s, ±100 %. With 0.1 at 0 s it would be surely 0.0033/s.
    const guess = estimate({ now: 30 * SECOND, history });
    expect(guess?.end).toBeCloseTo(100 * SECOND, 6);
    expect(guess?.spread).toBeCloseTo(1.1, 12);
  });

  it('starts over when progress drops (a new phase)', () => {
    const history = seen([0, 0.5], [10, 0.9], [20, 0.1]);
    expect(estimateEnd({ now: 20 * SECOND, history })).toBeUndefined();
    const next = [...history, ...seen([30, 0.2])];
    expect(estimateEnd({ now: 30 * SECOND, history: next })).toBe(110 * SECOND);
  });

  it('takes two polls at the same instant for one: no window of zero length, no endless rate', () => {
    // 0 → 0.4 in 10 s (±0.1): 0.04/s ± 25 %, 0.6 left.
    expect(estimate({ now: 10 * SECOND, history: seen([0, 0], [10, 0.1], [10, 0.4]) })).toEqual({
      end: 25 * SECOND,
      spread: 0.35,
    });
  });

  it('gives no estimate when the end would be past any date', () => {
    const history = [
      { at: 0, progress: 0 },
      { at: Number.MAX_VALUE, progress: 0.5 },
    ];
    expect(estimate({ now: Number.MAX_VALUE, history })).toBeUndefined();
  });
});

describe('estimateCeiling', () => {
  it('is three times the time waited (either schedule), within [minDelayMs, maxEstimateDelayMs]', () => {
    expect(estimateCeiling(defaults, { now: 10 * SECOND, startedAt })).toBe(30 * SECOND);
    expect(estimateCeiling(economy, { now: 10 * SECOND, startedAt })).toBe(30 * SECOND);
    expect(estimateCeiling(defaults, { now: 0.5 * SECOND, startedAt })).toBe(1500);
    expect(estimateCeiling(defaults, { now: 1000 * SECOND, startedAt })).toBe(300 * SECOND);
    expect(estimateCeiling(defaults, { now: 0.2 * SECOND, startedAt })).toBe(SECOND);
  });

  it('gives only minDelayMs before any wait or without a start', () => {
    expect(estimateCeiling(defaults, { now: 0, startedAt })).toBe(SECOND);
    expect(estimateCeiling(defaults, { now: 10 * SECOND })).toBe(SECOND);
    expect(estimateCeiling(defaults, { now: 10 * SECOND, startedAt: Number.NaN })).toBe(SECOND);
  });

  it('never caps below maxDelayMs at the top, and reads an unset maxEstimateDelayMs as 5 minutes', () => {
    expect(estimateCeiling({ ...defaults, maxEstimateDelayMs: 10 * SECOND }, { now: 1000 * SECOND, startedAt })).toBe(
      30 * SECOND,
    );
    const { maxEstimateDelayMs: _, ...unset } = defaults;
    expect(estimateCeiling(unset, { now: 1000 * SECOND, startedAt })).toBe(300 * SECOND);
    expect(estimateCeiling({ ...defaults, maxEstimateDelayMs: 600 * SECOND }, { now: 1000 * SECOND, startedAt })).toBe(
      600 * SECOND,
    );
  });
});

describe('planDelay: a confident estimate', () => {
  it('aims just after an end that is near: by the expected error plus a quarter of minDelayMs', () => {
    // 10 s left by the eta, 30 % spread: 3 s of expected error.
    expect(planDelay(defaults, { attempt: 4, now: 20 * SECOND, startedAt, etaAt: 30 * SECOND })).toEqual({
      delayMs: 13_250,
      basis: 'aim',
      aimAt: 30 * SECOND,
    });
    // That is a tenth of maxDelayMs, the most an aim allows: 20 s left (6 s of error) only approach,
    // 1.5 spreads short of the end. Economy aims from there.
    expect(planDelay(defaults, { attempt: 3, now: 100 * SECOND, startedAt, etaAt: 120 * SECOND })).toEqual({
      delayMs: 11 * SECOND,
      basis: 'approach',
    });
    expect(planDelay(economy, { attempt: 3, now: 100 * SECOND, startedAt, etaAt: 120 * SECOND })).toEqual({
      delayMs: 26_250,
      basis: 'aim',
      aimAt: 120 * SECOND,
    });
    // From progress: 0.9 at 50 s, the end at 55.6 s with a spread of 0.21.
    const plan = planDelay(defaults, {
      attempt: 5,
      now: 50 * SECOND,
      startedAt,
      history: seen([0, 0], [25, 0.5], [50, 0.9]),
    });
    expect(plan.basis).toBe('aim');
    expect(plan.delayMs).toBe(6978);
  });

  it('spreads an aim by the jitter, around the error and the margin only', () => {
    const input = { attempt: 4, now: 20 * SECOND, startedAt, etaAt: 30 * SECOND };
    const jittered = { ...DEFAULT_POLL_OPTIONS };
    expect(nextDelay(jittered, { ...input, random: 0 })).toBe(10_000 + 3250 * 0.8);
    expect(nextDelay(jittered, { ...input, random: 0.75 })).toBe(10_000 + 3250 * 1.1);
  });

  it('still aims when the aim is under minDelayMs: the next poll then counts as a miss', () => {
    expect(planDelay(defaults, { attempt: 4, now: 20 * SECOND, startedAt, etaAt: 20_500 })).toEqual({
      delayMs: SECOND,
      basis: 'aim',
      aimAt: 20_500,
    });
  });

  it('approaches when the aim is cut by the ceiling: early in a wait no estimate sleeps long', () => {
    // The first delay: nothing waited yet, so the backoff's 1 s.
    expect(planDelay(defaults, { attempt: 0, now: 0, startedAt, etaAt: 10 * SECOND })).toEqual({
      delayMs: SECOND,
      basis: 'approach',
    });
    // 3 s waited: at most 9 s, though the aim is at 13.25 s.
    expect(planDelay(defaults, { attempt: 2, now: 3 * SECOND, startedAt, etaAt: 13 * SECOND })).toEqual({
      delayMs: 9 * SECOND,
      basis: 'approach',
    });
  });

  it('steps towards a far end, stopping 1.5 spreads short of it, within three times the time waited', () => {
    // 900 s left, spread 0.3: 55 % of it is 495 s, but 50 s waited allow 150 s.
    expect(planDelay(defaults, { attempt: 6, now: 50 * SECOND, startedAt, etaAt: 950 * SECOND })).toEqual({
      delayMs: 150 * SECOND,
      basis: 'approach',
    });
    // 400 s left: 55 % is 220 s, within the 300 s maxEstimateDelayMs.
    expect(nextDelay(defaults, { attempt: 8, now: 600 * SECOND, startedAt, etaAt: 1000 * SECOND })).toBe(220 * SECOND);
    // The step is spread by the jitter: ±20 % of it.
    const far = { attempt: 8, now: 600 * SECOND, startedAt, etaAt: 1000 * SECOND };
    expect(nextDelay(DEFAULT_POLL_OPTIONS, { ...far, random: 0 })).toBe(176 * SECOND);
    expect(nextDelay(DEFAULT_POLL_OPTIONS, { ...far, random: 0.75 })).toBe(242 * SECOND);
    // From progress: 6 % in 60 s (±2 %), spread 0.43: 35 % of the 940 s left, cut to 180 s.
    const history = seen([0, 0], [20, 0.02], [40, 0.04], [60, 0.06]);
    expect(planDelay(defaults, { attempt: 6, now: 60 * SECOND, startedAt, history })).toEqual({
      delayMs: 180 * SECOND,
      basis: 'approach',
    });
  });

  it('trusts an eta given once less and less: near it, the backoff goes on', () => {
    // The same 400 s left, but the eta was given at the start: spread 0.75, nothing safe to step.
    expect(
      planDelay(defaults, { attempt: 8, now: 600 * SECOND, startedAt, etaAt: 1000 * SECOND, etaSince: 0 }),
    ).toEqual({ delayMs: 30 * SECOND, basis: 'backoff' });
  });

  it('keeps the backoff when a safe step would be no longer than it', () => {
    // 40 s left, spread 0.3: a 22 s step, shorter than the backoff's 30 s.
    const input = { now: 60 * SECOND, startedAt, etaAt: 100 * SECOND };
    expect(planDelay(defaults, { ...input, attempt: 5 })).toEqual({ delayMs: 30 * SECOND, basis: 'backoff' });
    expect(planDelay(defaults, { ...input, attempt: 3 })).toEqual({ delayMs: 22 * SECOND, basis: 'approach' });
  });

  it('never goes past the estimate without a start to measure the wait from', () => {
    expect(planDelay(defaults, { attempt: 3, now: 100 * SECOND, etaAt: 1000 * SECOND })).toEqual({
      delayMs: 8 * SECOND,
      basis: 'backoff',
    });
  });
});

describe('planDelay: a backoff never polls far past the estimated end', () => {
  // An eta given once, at the start: too unsure to approach or aim (spread 18.3), still the best guess.
  const unsure = { attempt: 8, now: 600 * SECOND, startedAt, etaSince: 0 };

  it('stops a quarter of minDelayMs after an unsure estimated end that comes before the backoff would poll', () => {
    expect(planDelay(defaults, { ...unsure, etaAt: 610 * SECOND })).toEqual({ delayMs: 10_250, basis: 'backoff' });
    // An end after the backoff's poll, or none ahead, changes nothing.
    expect(planDelay(defaults, { ...unsure, etaAt: 640 * SECOND })).toEqual({ delayMs: 30 * SECOND, basis: 'backoff' });
    // Never sooner than minDelayMs.
    expect(planDelay(defaults, { ...unsure, etaAt: 600_300 })).toEqual({ delayMs: SECOND, basis: 'backoff' });
  });

  it("is not done with schedule 'economy', which pays for fewer requests in the tail", () => {
    expect(planDelay(economy, { ...unsure, etaAt: 610 * SECOND })).toEqual({ delayMs: 30 * SECOND, basis: 'backoff' });
  });

  it('once overdue, stops after the later of the estimated end and the end at the pace of the latest step', () => {
    const missed = { attempt: 6, now: 60 * SECOND, startedAt, misses: 1, missedAt: 50 * SECOND };
    // Overdue since 50 s: the backoff allows 20 s. The rate estimate ends at 65 s, but the latest
    // step (0.6 → 0.9 in 30 s) leaves 0.1 for 10 s more: it stops just after 70 s.
    expect(planDelay(defaults, { ...missed, history: seen([0, 0], [30, 0.6], [60, 0.9]) })).toEqual({
      delayMs: 10_250,
      basis: 'backoff',
    });
    // Steady progress: both say 66.7 s.
    expect(planDelay(defaults, { ...missed, history: seen([0, 0], [20, 0.3], [40, 0.6], [60, 0.9]) })).toEqual({
      delayMs: 6917,
      basis: 'backoff',
    });
    // Slowed to 0.1 in 40 s: the latest pace says 100 s, past the backoff's poll, though the rate said 62.5 s.
    expect(planDelay(defaults, { ...missed, history: seen([0, 0], [10, 0.4], [20, 0.8], [60, 0.9]) })).toEqual({
      delayMs: 20 * SECOND,
      basis: 'backoff',
    });
  });

  it('measures the latest step from the first polls to see each value, and cuts nothing at an end already reached', () => {
    const missed = { attempt: 6, startedAt, misses: 1, missedAt: 50 * SECOND };
    // 0.6 was first seen at 30 s, not at 45 s: 0.3 in 30 s leaves 0.1 for 10 s, so 70 s.
    const repeated = seen([0, 0], [20, 0.3], [30, 0.6], [45, 0.6], [60, 0.9]);
    expect(planDelay(defaults, { ...missed, now: 60 * SECOND, history: repeated })).toEqual({
      delayMs: 10_250,
      basis: 'backoff',
    });
    // At 70 s that end is now: the backoff (30 s) goes on; half a second before, it polls at minDelayMs.
    const history = seen([0, 0], [30, 0.6], [60, 0.9]);
    expect(planDelay(defaults, { ...missed, now: 70 * SECOND, history })).toEqual({
      delayMs: 30 * SECOND,
      basis: 'backoff',
    });
    expect(planDelay(defaults, { ...missed, now: 69_500, history })).toEqual({ delayMs: SECOND, basis: 'backoff' });
  });

  it('with an eta, takes the later of it and the pace of progress; without a pace, the eta alone', () => {
    const missed = { attempt: 6, now: 20 * SECOND, startedAt, misses: 1, missedAt: 15 * SECOND, etaAt: 25 * SECOND };
    // 0.3 → 0.5 in 20 s leaves 0.5 for 50 s: later than the eta and the backoff's 10 s, so the backoff.
    expect(planDelay(defaults, { ...missed, history: seen([0, 0.3], [20, 0.5]) })).toEqual({
      delayMs: 10 * SECOND,
      basis: 'backoff',
    });
    // A poll without progress gives no pace: it stops just after the eta.
    expect(planDelay(defaults, { ...missed, history: [{ at: 0 }, { at: 20 * SECOND, progress: 0.5 }] })).toEqual({
      delayMs: 5250,
      basis: 'backoff',
    });
  });
});

describe('planDelay: overdue, the backoff starts again from that moment', () => {
  it('once an eta has passed: at most factor × the time since, never above the plain backoff', () => {
    expect(planDelay(defaults, { attempt: 9, now: 100 * SECOND, startedAt, etaAt: 97 * SECOND })).toEqual({
      delayMs: 6 * SECOND,
      basis: 'backoff',
    });
    expect(
      nextDelay({ ...defaults, factor: 3 }, { attempt: 9, now: 100 * SECOND, startedAt, etaAt: 97 * SECOND }),
    ).toBe(9 * SECOND);
    // Long past: the plain backoff (2 s at the second delay), and at least minDelayMs.
    expect(nextDelay(defaults, { attempt: 1, now: 100 * SECOND, startedAt, etaAt: 0 })).toBe(2 * SECOND);
    expect(nextDelay(defaults, { attempt: 9, now: 100 * SECOND, startedAt, etaAt: 100 * SECOND })).toBe(SECOND);
  });

  it('once an aimed poll found the task running, whatever the estimate says now', () => {
    const input = {
      attempt: 6,
      now: 60 * SECOND,
      startedAt,
      misses: 1,
      missedAt: 50 * SECOND,
      etaAt: 200 * SECOND,
    };
    expect(planDelay(defaults, input)).toEqual({ delayMs: 20 * SECOND, basis: 'backoff' });
    // `missedAt` counts only with a miss.
    expect(planDelay(defaults, { ...input, misses: 0 }).basis).toBe('approach');
  });

  it('from the latest of the moments it became overdue', () => {
    const both = { attempt: 9, now: 100 * SECOND, startedAt, misses: 1 };
    expect(nextDelay(defaults, { ...both, etaAt: 90 * SECOND, missedAt: 95 * SECOND })).toBe(10 * SECOND);
    expect(nextDelay(defaults, { ...both, etaAt: 95 * SECOND, missedAt: 90 * SECOND })).toBe(10 * SECOND);
  });

  it('once it sits at 100 % and runs on: since the last poll that saw it below', () => {
    const history = seen([90, 0.8], [100, 1]);
    expect(nextDelay(defaults, { attempt: 9, now: 103 * SECOND, startedAt, history })).toBe(26 * SECOND);
    expect(nextDelay(defaults, { attempt: 9, now: 103 * SECOND, startedAt, history: seen([100, 1]) })).toBe(6 * SECOND);
  });

  it('once progress jumps (a step twice as fast as anything before): since the poll before the jump', () => {
    const history = seen([0, 0], [20, 0.1], [40, 0.2], [95, 0.2], [100, 0.99]);
    // Without the jump the rate says 0.08 s are left, and it would aim at once.
    expect(planDelay(defaults, { attempt: 6, now: 100 * SECOND, startedAt, history })).toEqual({
      delayMs: 10 * SECOND,
      basis: 'backoff',
    });
    // A step no faster than twice the ones before is a rate, not a jump.
    const steady = seen([0, 0], [20, 0.1], [40, 0.2], [60, 0.3]);
    expect(planDelay(defaults, { attempt: 6, now: 60 * SECOND, startedAt, history: steady }).basis).toBe('approach');
  });

  it('a jump is a step surely more than twice as fast: exactly twice is still a rate', () => {
    // 0.1 → 0.7 in 5 s is surely 0.1/s (±0.1 at each end); 0 → 0.1 before it was at most 0.04/s.
    expect(
      planDelay(defaults, { attempt: 4, now: 10 * SECOND, startedAt, history: seen([0, 0], [5, 0.1], [10, 0.7]) }),
    ).toEqual({
      delayMs: 10 * SECOND,
      basis: 'backoff',
    });
    // 0.1 → 0.6 is surely 0.08/s: exactly twice 0.04/s. The rate says 0.4 are left, due at 14 s.
    expect(
      planDelay(defaults, { attempt: 4, now: 10 * SECOND, startedAt, history: seen([0, 0], [5, 0.1], [10, 0.6]) }),
    ).toEqual({
      delayMs: 5450,
      basis: 'aim',
      aimAt: 14 * SECOND,
    });
  });

  it('the first move after a stall is a rate, not a jump: a poll that saw no change is no window', () => {
    const history = seen([0, 0], [5, 0], [10, 0.8]);
    expect(planDelay(defaults, { attempt: 4, now: 10 * SECOND, startedAt, history })).toEqual({
      delayMs: 1938,
      basis: 'aim',
      aimAt: 11_250,
    });
  });

  it('after a jump, once the end the new rate gave has passed too: since that end, the later moment', () => {
    // Jumped after the poll at 5 s; 0.1 → 0.7 in 5 s gives 0.3 more by 12.5 s; still 0.7 at 15 s.
    const history = seen([0, 0], [5, 0.1], [10, 0.7], [15, 0.7]);
    expect(planDelay(defaults, { attempt: 4, now: 15 * SECOND, startedAt, history })).toEqual({
      delayMs: 5 * SECOND,
      basis: 'backoff',
    });
  });

  it('once it has sat at a value past the end the rate gave when that value was first seen', () => {
    // 0.5 → 0.9 by 20 s gives 0.1 more by 25 s; at 27 s it still shows 0.9: overdue since 25 s.
    const history = seen([0, 0.5], [20, 0.9], [27, 0.9]);
    expect(planDelay(defaults, { attempt: 6, now: 27 * SECOND, startedAt, history })).toEqual({
      delayMs: 4 * SECOND,
      basis: 'backoff',
    });
    // At 24 s the end is still ahead: it aims.
    const early = seen([0, 0.5], [20, 0.9], [24, 0.9]);
    expect(planDelay(defaults, { attempt: 6, now: 24 * SECOND, startedAt, history: early }).basis).toBe('aim');
    // 0 → 0.5 in 10 s says done by 20 s: a poll at that very moment that still sees 0.5 finds it overdue;
    // one a moment before still aims (at its last poll plus the time for all but one step).
    const onTime = { attempt: 3, now: 20 * SECOND, startedAt, history: seen([0, 0], [10, 0.5], [20, 0.5]) };
    expect(planDelay(defaults, onTime)).toEqual({ delayMs: SECOND, basis: 'backoff' });
    const justBefore = { ...onTime, now: 19_999, history: seen([0, 0], [10, 0.5], [19.999, 0.5]) };
    expect(planDelay(defaults, justBefore)).toEqual({ delayMs: 8250, basis: 'aim', aimAt: 24_999 });
  });
});

describe("planDelay: schedule 'economy'", () => {
  it('steps at least 60 % of the way however unsure, within three times the time waited', () => {
    // The eta given at the start, 400 s left: the default keeps the backoff (30 s).
    expect(planDelay(economy, { attempt: 8, now: 600 * SECOND, startedAt, etaAt: 1000 * SECOND, etaSince: 0 })).toEqual(
      { delayMs: 240 * SECOND, basis: 'approach' },
    );
    expect(planDelay(economy, { attempt: 6, now: 40 * SECOND, startedAt, etaAt: 1000 * SECOND })).toEqual({
      delayMs: 120 * SECOND,
      basis: 'approach',
    });
  });

  it('aims from further off: within ¾ of maxDelayMs of expected error', () => {
    // 60 s left, 18 s of expected error: the default still approaches.
    const input = { attempt: 4, now: 100 * SECOND, startedAt, etaAt: 160 * SECOND };
    expect(planDelay(economy, input)).toEqual({ delayMs: 78_250, basis: 'aim', aimAt: 160 * SECOND });
    expect(planDelay(defaults, input)).toEqual({ delayMs: 33 * SECOND, basis: 'approach' });
  });

  it('once overdue, goes on with the plain backoff, and an estimate may still lengthen it', () => {
    expect(planDelay(economy, { attempt: 9, now: 100 * SECOND, startedAt, etaAt: 97 * SECOND })).toEqual({
      delayMs: 30 * SECOND,
      basis: 'backoff',
    });
    // After one miss, a new eta 140 s ahead, its spread doubled: 60 % of the way.
    const missed = { attempt: 6, now: 60 * SECOND, startedAt, misses: 1, missedAt: 50 * SECOND, etaAt: 200 * SECOND };
    expect(planDelay(economy, missed)).toEqual({ delayMs: 84 * SECOND, basis: 'approach' });
    // 60 s ahead: 18 s of error would aim, but doubled to 36 s it approaches.
    expect(planDelay(economy, { ...missed, etaAt: 120 * SECOND })).toEqual({ delayMs: 36 * SECOND, basis: 'approach' });
    // An estimate shorter than the backoff does not shorten it.
    expect(planDelay(economy, { ...missed, etaAt: 70 * SECOND })).toEqual({ delayMs: 30 * SECOND, basis: 'backoff' });
    // Nor does one cut to the very length of the backoff: 0.3 in 5 s, missed at 5 s, 16 s either way.
    const cut = {
      attempt: 4,
      now: 5 * SECOND,
      startedAt,
      misses: 1,
      missedAt: 5 * SECOND,
      history: seen([0, 0], [5, 0.3]),
    };
    expect(planDelay(economy, cut)).toEqual({ delayMs: 16 * SECOND, basis: 'backoff' });
  });
});

describe('advance: aim, miss, eta and fault', () => {
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
    const state = { ...initialState('acme', 'j1', 0), attempt: 4 };
    const first = advance(state, { snapshot: running(undefined, at(30)), now: 20 * SECOND }, defaults);
    expect(first.delayMs).toBe(13_250);
    expect(first.state.aimAt).toBe(30 * SECOND);
    // Still running at 33.25 s: a miss, 3.25 s past the aimed end; the backoff starts again.
    const second = advance(first.state, { snapshot: running(), now: 33_250 }, defaults);
    expect(second.state.misses).toBe(1);
    expect(second.state.missedAt).toBe(30 * SECOND);
    expect(second.state.aimAt).toBeUndefined();
    expect(second.delayMs).toBe(6500);
    // A later eta does not lengthen it any more.
    expect(advance(first.state, { snapshot: running(undefined, at(300)), now: 33_250 }, defaults).delayMs).toBe(6500);
    expect(decodeState(encodeState(second.state), 'acme')).toEqual(second.state);
  });

  it('remembers since when the vendor has given the same eta, to the second', () => {
    let state = initialState('acme', 'j1', 0);
    state = advance(state, { snapshot: running(undefined, at(1000)), now: 0 }, defaults).state;
    expect(state.eta).toEqual({ at: 1000 * SECOND, since: 0 });
    state = advance(
      state,
      { snapshot: running(undefined, '1970-01-01T00:16:41.000Z'), now: 100 * SECOND },
      defaults,
    ).state;
    expect(state.eta).toEqual({ at: 1001 * SECOND, since: 0 });
    // An eta given once is less trusted as it nears: 400 s left of a 1000 s eta, the backoff goes on.
    const late = advance(
      { ...state, attempt: 8 },
      { snapshot: running(undefined, at(1001)), now: 600 * SECOND },
      defaults,
    );
    expect(late.state.eta).toEqual({ at: 1001 * SECOND, since: 0 });
    expect(late.delayMs).toBe(30 * SECOND);
    // A new eta (more than 1 s off) starts afresh: 30 % of the time left.
    const moved = advance(state, { snapshot: running(undefined, at(1003)), now: 600 * SECOND }, defaults);
    expect(moved.state.eta).toEqual({ at: 1003 * SECOND, since: 600 * SECOND });
    // A fault or a snapshot without an eta keeps what was known.
    expect(advance(state, { error: new Error('503'), now: 700 * SECOND }, defaults).state.eta).toBe(state.eta);
    expect(advance(state, { snapshot: running(0.5), now: 700 * SECOND }, defaults).state.eta).toBe(state.eta);
    expect(advance(state, { snapshot: running(0.5, 'soon'), now: 700 * SECOND }, defaults).state.eta).toBe(state.eta);
    expect(decodeState(encodeState(late.state), 'acme')).toEqual(late.state);
  });

  it('reads a resume token from before etas were remembered, and refuses a malformed one', () => {
    const old = { ...initialState('acme', 'j1', 0), polls: 3, attempt: 3 };
    expect(decodeState(JSON.stringify(old), 'acme')).toEqual(old);
    const bad = JSON.stringify({ ...old, eta: { at: 'soon', since: 0 } });
    expect(() => decodeState(bad, 'acme')).toThrow('bad fields: eta.at');
  });

  it('meets a transient fault with the backoff, never with an estimate', () => {
    const state: WaitState = {
      ...initialState('acme', 'j1', 0),
      attempt: 3,
      history: seen([0, 0.1], [10, 0.9]),
    };
    const step = advance(state, { error: new Error('503'), now: 10 * SECOND }, defaults);
    expect(step.delayMs).toBe(8 * SECOND);
    expect(step.state.history).toBe(state.history);
  });
});

describe('advance: the state it keeps, and the resume token', () => {
  const snapshot = (progress?: number): TaskSnapshot => ({
    vendor: 'acme',
    kind: 'job',
    id: 'j1',
    state: 'running',
    terminal: false,
    rawStatus: 'working',
    raw: {},
    ...(progress === undefined ? {} : { progress }),
  });

  it('records the last state seen, with its progress only when it had one', () => {
    const start = initialState('acme', 'j1', 0);
    const withProgress = advance(start, { snapshot: snapshot(0.5), now: 2 * SECOND }, noJitter).state;
    expect(withProgress.last).toStrictEqual({ state: 'running', rawStatus: 'working', at: 2 * SECOND, progress: 0.5 });
    const without = advance(withProgress, { snapshot: snapshot(), now: 3 * SECOND }, noJitter).state;
    expect(without.last).toStrictEqual({ state: 'running', rawStatus: 'working', at: 3 * SECOND });
    // A poll without progress adds nothing to the history.
    expect(without.history).toBe(withProgress.history);
    expect(without.history).toEqual([{ at: 2 * SECOND, progress: 0.5 }]);
  });

  it('keeps the last eight observations of progress', () => {
    let state = initialState('acme', 'j1', 0);
    for (let poll = 1; poll <= 10; poll++) {
      state = advance(state, { snapshot: snapshot(poll / 100), now: poll * SECOND }, noJitter).state;
    }
    expect(state.history).toEqual(
      Array.from({ length: 8 }, (_, i) => ({ at: (i + 3) * SECOND, progress: (i + 3) / 100 })),
    );
  });

  it('counts a miss from the aimed end on, not before it', () => {
    const aimed: WaitState = { ...initialState('acme', 'j1', 0), attempt: 4, aimAt: 30 * SECOND };
    const early = advance(aimed, { snapshot: snapshot(), now: 30 * SECOND - 1 }, defaults).state;
    expect([early.misses, early.missedAt]).toEqual([undefined, undefined]);
    const onTime = advance(aimed, { snapshot: snapshot(), now: 30 * SECOND }, defaults).state;
    expect([onTime.misses, onTime.missedAt]).toEqual([1, 30 * SECOND]);
  });

  it("keeps the server's hint as notBefore, clamped like the delay, for a wait resumed elsewhere", () => {
    const state = initialState('acme', 'j1', 0);
    const hinted = advance(state, { error: new Error('429'), hintMs: 7000, now: 50 * SECOND }, noJitter);
    expect(hinted).toMatchObject({ delayMs: 7000, basis: 'hint' });
    expect(hinted.state.notBefore).toBe(57 * SECOND);
    const huge = advance(state, { error: new Error('429'), hintMs: 10 ** 9, now: 50 * SECOND }, noJitter);
    expect(huge.state.notBefore).toBe(350 * SECOND);
    expect(advance(hinted.state, { snapshot: snapshot(), now: 60 * SECOND }, noJitter).state.notBefore).toBeUndefined();
  });

  it('refuses a token that is not one, saying what is wrong with it', () => {
    const refusal = (token: string) => {
      try {
        decodeState(token, 'acme');
      } catch (error) {
        return {
          name: (error as ConfigError).name,
          field: (error as ConfigError).field,
          message: (error as Error).message,
        };
      }
    };
    expect(refusal('{not json')).toEqual({
      name: 'ConfigError',
      field: 'resumeFrom',
      message: 'resumeFrom is not a resume token: it is not JSON',
    });
    expect(refusal('42')).toEqual({
      name: 'ConfigError',
      field: 'resumeFrom',
      message: 'resumeFrom is not a valid resume token (bad fields: (token))',
    });
    const token = { ...initialState('acme', 'j1', 0), polls: -1, attempt: 0.5 };
    expect(refusal(JSON.stringify(token))?.message).toBe(
      'resumeFrom is not a valid resume token (bad fields: polls, attempt)',
    );
    expect(refusal(encodeState(initialState('mixpeek', 'j1', 0)))).toEqual({
      name: 'ConfigError',
      field: 'resumeFrom',
      message: 'resumeFrom belongs to a mixpeek wait; this client is for acme',
    });
  });
});

describe('the schedule option, through a client', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  /** Drives three polls of one task at 0 s, 100 s and 200 s that report 0 %, 10 % and 20 %. */
  async function thirdDelay(wait: Record<string, unknown>): Promise<number> {
    vi.useFakeTimers({ now: 0 });
    let percent = 0;
    server.use(
      http.get('https://api.acme.test/v2/jobs/:id', () => HttpResponse.json({ id: 'j1', state: 'working', percent })),
    );
    const client = createClient(acme, { token: 't0ken-abc', wait });
    let step = await client.poll('j1');
    for (const at of [100, 200]) {
      vi.setSystemTime(at * SECOND);
      percent += 10;
      step = await client.poll('j1', { state: step.resumeToken });
    }
    return step.delayMs;
  }

  it("'economy' steps further towards the end than the default", async () => {
    // 0.2 in 200 s (±0.1): 800 s left, spread 0.6. The default steps 10 % of the way, which is
    // more than the backoff's 4 s; economy steps 60 %, cut to the 300 s maxEstimateDelayMs.
    expect(await thirdDelay({ jitter: 0 })).toBe(80 * SECOND);
    expect(await thirdDelay({ jitter: 0, schedule: 'economy' })).toBe(300 * SECOND);
    expect(await thirdDelay({ jitter: 0, schedule: 'economy', estimate: false })).toBe(4 * SECOND);
  });

  it('a schedule that is not one is a ConfigError naming it, when the client is created', () => {
    const create = () => createClient(acme, { token: 't0ken-abc', wait: { schedule: 'fast' as 'default' } });
    expect(create).toThrow(
      expect.objectContaining({
        name: 'ConfigError',
        field: 'schedule',
        message: `schedule must be 'default' or 'economy', got "fast"`,
      }),
    );
  });

  it('a wait’s own schedule applies to that wait, and a bad one rejects before any request', async () => {
    expect(await thirdDelay({ jitter: 0 })).toBe(80 * SECOND);
    vi.useFakeTimers({ now: 0 });
    let percent = 0;
    server.use(
      http.get('https://api.acme.test/v2/jobs/:id', () => HttpResponse.json({ id: 'j1', state: 'working', percent })),
    );
    const client = createClient(acme, { token: 't0ken-abc', wait: { jitter: 0 } });
    let step = await client.poll('j1', { schedule: 'economy' });
    for (const at of [100, 200]) {
      vi.setSystemTime(at * SECOND);
      percent += 10;
      step = await client.poll('j1', { state: step.resumeToken, schedule: 'economy' });
    }
    expect(step.delayMs).toBe(300 * SECOND);
    await expect(client.wait('j1', { schedule: 'fast' as 'default' })).rejects.toMatchObject({ field: 'schedule' });
  });
});
