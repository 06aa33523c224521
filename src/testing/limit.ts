/**
 * A rate limit for the fake servers: each token may make `limit` requests per fixed window; the
 * rest are answered 429 with a `Retry-After` and the vendor-style rate-limit headers.
 *
 * @module
 */
import { ConfigError } from '../index.js';

/** How the fake server limits each token's requests (see `startFakeServer`'s `rateLimit`). */
export interface FakeRateLimit {
  /** Requests each token (each `Authorization` or API-key header value) may make per window. */
  limit: number;
  /** The window, in ms; windows start on multiples of it. Default 1000. */
  windowMs?: number | undefined;
  /**
   * The headers every answer carries. `postman` (the default): `RateLimit: limit=…, remaining=…,
   * reset=…`, `RateLimit-Policy`, `X-RateLimit-Limit` / `-Remaining` / `-Reset` (epoch seconds),
   * and on a 429 `X-RateLimit-RetryAfter`, `RetryAfter` and `Retry-After`. `ietf`: the draft's
   * structured `RateLimit: "default";r=…;t=…` and `RateLimit-Policy`, and `Retry-After` on a 429.
   * `none`: `Retry-After` on a 429 only. Seconds are whole for windows of whole seconds, else
   * decimals (a scaled-down clock).
   */
  headers?: 'postman' | 'ietf' | 'none' | undefined;
}

/** What the limiter decided about one request. */
export interface LimitDecision {
  allowed: boolean;
  /** Headers for the answer, names lower-cased. */
  headers: Record<string, string>;
}

/** Counts each token's requests per window. */
export class FakeLimiter {
  readonly #limit: number;
  readonly #windowMs: number;
  readonly #style: 'postman' | 'ietf' | 'none';
  readonly #counts = new Map<string, { window: number; count: number }>();

  constructor(options: FakeRateLimit) {
    const windowMs = options.windowMs ?? 1000;
    if (!Number.isInteger(options.limit) || options.limit < 1) {
      throw new ConfigError('rateLimit', 'rateLimit.limit must be a whole number of requests, at least 1');
    }
    if (!(Number.isFinite(windowMs) && windowMs >= 1)) {
      throw new ConfigError('rateLimit', 'rateLimit.windowMs must be at least 1 ms');
    }
    this.#limit = options.limit;
    this.#windowMs = windowMs;
    this.#style = options.headers ?? 'postman';
  }

  /** Counts a request carrying `headers` (names lower-cased) at `now`. */
  check(headers: Record<string, string>, now: number): LimitDecision {
    const token = headers.authorization ?? headers['x-api-key'] ?? headers['x-api-token'] ?? '';
    const window = Math.floor(now / this.#windowMs);
    let entry = this.#counts.get(token);
    if (!entry || entry.window !== window) {
      entry = { window, count: 0 };
      this.#counts.set(token, entry);
    }
    const allowed = entry.count < this.#limit;
    if (allowed) entry.count += 1;
    const resetAt = (window + 1) * this.#windowMs;
    return { allowed, headers: this.#headers(this.#limit - entry.count, resetAt, now, allowed) };
  }

  #headers(remaining: number, resetAt: number, now: number, allowed: boolean): Record<string, string> {
    const reset = this.#seconds(resetAt - now);
    const window = this.#seconds(this.#windowMs);
    const out: Record<string, string> = {};
    if (this.#style === 'postman') {
      out.ratelimit = `limit=${this.#limit}, remaining=${remaining}, reset=${reset}`;
      out['ratelimit-policy'] = `${this.#limit};w=${window}`;
      out['x-ratelimit-limit'] = String(this.#limit);
      out['x-ratelimit-remaining'] = String(remaining);
      out['x-ratelimit-reset'] = String(Math.ceil(resetAt / 1000));
      if (!allowed) {
        out['x-ratelimit-retryafter'] = reset;
        out.retryafter = reset;
      }
    } else if (this.#style === 'ietf') {
      out.ratelimit = `"default";r=${remaining};t=${reset}`;
      out['ratelimit-policy'] = `"default";q=${this.#limit};w=${window}`;
    }
    if (!allowed) out['retry-after'] = reset;
    return out;
  }

  #seconds(ms: number): string {
    return this.#windowMs % 1000 === 0 ? String(Math.ceil(ms / 1000)) : (Math.max(0, ms) / 1000).toFixed(3);
  }
}
