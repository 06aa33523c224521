import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffDelay, DEFAULT_POLL_OPTIONS, estimateEnd, nextDelay, type PollOptions } from '../../src/index.js';

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
