/**
 * The sending rate of a request budget: a token bucket whose rate, once the server throttles, is
 * cut to 70 % of what was being sent and then climbs back on a cubic curve, as AWS SDK v3's
 * `DefaultRateLimiter` does (its adaptive retry mode).
 *
 * @module
 */
import type { RateLimit } from './ratelimit.js';

// The AWS adaptive mode's constants: cut to 70 % on throttling, then a cubic climb.
const BETA = 0.7;
const SCALE = 0.4;
const MIN_RATE = 0.5;
const MEASURE_MS = 500;
const SMOOTH = 0.8;
// An adaptive rate above this, with nothing configured, is as good as none.
const UNLIMITED_RATE = 1000;

/** A token bucket that is on when a rate is configured, or after the server has throttled. */
export class AdaptiveRate {
  /** The configured rate, or Infinity. */
  readonly #maxRate: number;
  readonly #burst: number;
  #rate: number;
  #tokens: number;
  #refilledAt = Date.now();
  #adaptive = false;
  #lastMaxRate = 0;
  #lastThrottleAt = Number.NEGATIVE_INFINITY;
  // The sending rate, smoothed over half-second buckets.
  #measured = 0;
  #measureStart = Date.now();
  #measureCount = 0;

  constructor(limit: RateLimit | undefined) {
    this.#maxRate = limit?.requestsPerSecond ?? Number.POSITIVE_INFINITY;
    this.#burst = limit?.burst ?? Math.max(1, limit?.requestsPerSecond ?? 1);
    this.#rate = this.#maxRate;
    this.#tokens = this.#burst;
  }

  /** Requests per second now; Infinity when unlimited. */
  get perSecond(): number {
    return this.#rate;
  }

  /** How long until a token is there, in ms (0 when one is). */
  wait(now: number): number {
    if (!Number.isFinite(this.#rate)) return 0;
    this.#refill(now);
    return this.#tokens >= 1 ? 0 : ((1 - this.#tokens) / this.#rate) * 1000;
  }

  /** A request goes at `now`: it takes a token. */
  take(now: number): void {
    if (Number.isFinite(this.#rate)) {
      this.#refill(now);
      this.#tokens -= 1;
    }
    if (now - this.#measureStart >= MEASURE_MS) {
      const rate = (this.#measureCount * 1000) / (now - this.#measureStart);
      this.#measured = rate * SMOOTH + this.#measured * (1 - SMOOTH);
      this.#measureStart = now;
      this.#measureCount = 0;
    }
    this.#measureCount += 1;
  }

  /**
   * The server throttled a request sent at `sentAt`: the rate is cut, once per wave (answers to
   * requests sent before the last cut carry old news).
   */
  throttled(now: number, sentAt: number): void {
    if (sentAt < this.#lastThrottleAt) return;
    const instant = (this.#measureCount * 1000) / Math.max(100, now - this.#measureStart);
    const measured = this.#measured > 0 ? this.#measured : instant;
    const base = Number.isFinite(this.#rate) ? Math.min(this.#rate, measured || this.#rate) : measured;
    this.#lastMaxRate = Math.max(MIN_RATE, base);
    this.#lastThrottleAt = now;
    this.#adaptive = true;
    this.#set(now, Math.max(MIN_RATE, this.#lastMaxRate * BETA));
  }

  /** Any other answer: after a cut, the rate climbs back on the cubic curve. */
  answered(now: number): void {
    if (!this.#adaptive) return;
    const seconds = (now - this.#lastThrottleAt) / 1000;
    const window = Math.cbrt((this.#lastMaxRate * (1 - BETA)) / SCALE);
    // AWS also caps this at twice the measured rate; waits poll in bursts after quiet spells, which
    // that cap would throttle for no reason.
    const rate = SCALE * (seconds - window) ** 3 + this.#lastMaxRate;
    if (rate >= this.#maxRate || (!Number.isFinite(this.#maxRate) && rate > UNLIMITED_RATE)) {
      this.#adaptive = false;
      this.#set(now, this.#maxRate);
      return;
    }
    this.#set(now, Math.max(MIN_RATE, rate));
  }

  #set(now: number, rate: number): void {
    this.#refill(now);
    this.#rate = rate;
    this.#tokens = Number.isFinite(rate) ? Math.min(this.#tokens, this.#capacity()) : this.#burst;
  }

  // A cut rate holds one second's worth; the configured one its burst.
  #capacity(): number {
    return this.#rate < this.#maxRate ? Math.max(1, this.#rate) : this.#burst;
  }

  #refill(now: number): void {
    if (Number.isFinite(this.#rate) && now > this.#refilledAt) {
      this.#tokens = Math.min(this.#capacity(), this.#tokens + ((now - this.#refilledAt) / 1000) * this.#rate);
    }
    this.#refilledAt = now;
  }
}
