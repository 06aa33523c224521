/**
 * Reads what a server says about its rate limit: the IETF `RateLimit` and `RateLimit-Policy`
 * fields (the structured form `"default";r=5;t=30` and the older `limit=300, remaining=5,
 * reset=30`), and the separate `RateLimit-*` / `X-RateLimit-*` fields (Postman, GitHub and
 * most others), the pace that keeps under the window they describe, and what a client's own
 * rate limit looks like. The parsing is pure, linear in the size of the headers; hostile values
 * are ignored.
 *
 * @module
 */

import { ConfigError } from './errors.js';

/** A token bucket: a steady rate and the burst it allows. */
export interface RateLimit {
  /** Requests per second, on average. */
  requestsPerSecond: number;
  /** Requests that may go at once after a quiet spell. Default: one second's worth (at least 1). */
  burst?: number | undefined;
}

/** Throws a {@link ConfigError} naming `field` unless `limit` is a usable token bucket. */
export function checkRateLimit(limit: unknown, field = 'rateLimit'): asserts limit is RateLimit {
  const { requestsPerSecond, burst } = (limit ?? {}) as Partial<RateLimit>;
  if (
    typeof limit !== 'object' ||
    limit === null ||
    typeof requestsPerSecond !== 'number' ||
    !Number.isFinite(requestsPerSecond) ||
    requestsPerSecond <= 0
  ) {
    throw new ConfigError(
      field,
      `${field}.requestsPerSecond must be a finite number above 0 (e.g. { requestsPerSecond: 5 }), got ${show(requestsPerSecond)}`,
    );
  }
  if (burst !== undefined && (typeof burst !== 'number' || !Number.isFinite(burst) || burst < 1)) {
    throw new ConfigError(field, `${field}.burst must be a finite number of at least 1, got ${show(burst)}`);
  }
}

function show(value: unknown): string {
  return typeof value === 'number' || value === undefined || value === null ? String(value) : typeof value;
}

/** What the server said about the current window of its rate limit. */
export interface ServerLimit {
  /** Requests left in the current window. */
  remaining: number;
  /** When the window resets, in ms from now. */
  resetMs: number;
  /** Requests a whole window allows, when the server says. */
  limit?: number | undefined;
  /** How long a window lasts, in ms, when the server says (`RateLimit-Policy`'s `w`). */
  windowMs?: number | undefined;
}

// Longer fields are not rate-limit fields anyone sends: they are cut, so parsing stays cheap.
const MAX_FIELD = 512;
// A reset above this many seconds is an epoch time (2001-09-09), not a number of seconds left.
const EPOCH_SECONDS = 1e9;

/**
 * The most restrictive window the headers describe: the one with the fewest requests left per
 * ms until its reset. Undefined when the headers say nothing usable.
 */
export function readServerLimit(headers: Headers, now = Date.now()): ServerLimit | undefined {
  const combined = field(headers, 'ratelimit');
  const windows = combined === undefined ? [] : parseCombined(combined, now);
  if (windows.length === 0) {
    const separate = parseSeparate(headers, now);
    if (separate) windows.push(separate);
  }
  const policies = parsePolicies(field(headers, 'ratelimit-policy'));
  let tightest: ServerLimit | undefined;
  for (const window of windows) {
    const policy = policies.get(window.name ?? '') ?? policies.values().next().value;
    // A window without its reset lasts, at most, as long as the policy's window.
    const resetMs = Number.isNaN(window.resetMs) ? policy?.windowMs : window.resetMs;
    if (resetMs === undefined) continue;
    const candidate: ServerLimit = {
      remaining: window.remaining,
      resetMs,
      limit: window.limit ?? policy?.limit,
      windowMs: policy?.windowMs,
    };
    if (!tightest || pace(candidate) > pace(tightest)) tightest = candidate;
  }
  return tightest;
}

/** One window as a header names it, before the policy fills in its length. */
interface Named extends ServerLimit {
  name?: string | undefined;
}

/** How long each remaining request should wait, on average, to last the window: larger is tighter. */
function pace(limit: ServerLimit): number {
  return limit.remaining <= 0 ? Number.POSITIVE_INFINITY : limit.resetMs / limit.remaining;
}

function field(headers: Headers, name: string): string | undefined {
  const value = headers.get(name);
  return value === null ? undefined : value.slice(0, MAX_FIELD);
}

/** `RateLimit`: the IETF structured list (`"a";r=1;t=2, "b";r=5;t=60`), or `limit=…, remaining=…, reset=…`. */
function parseCombined(value: string, now: number): Named[] {
  if (/(^|[\s,;])remaining\s*=/i.test(value)) {
    const pairs = keyValues(value.split(/[,;]/));
    const remaining = count(pairs.get('remaining'));
    if (remaining === undefined) return [];
    return [{ remaining, resetMs: resetOf(pairs.get('reset'), now), limit: count(pairs.get('limit')) }];
  }
  const out: Named[] = [];
  for (const item of value.split(',')) {
    const [name = '', ...params] = item.split(';');
    const pairs = keyValues(params);
    const remaining = count(pairs.get('r'));
    if (remaining !== undefined) out.push({ name: unquote(name), remaining, resetMs: resetOf(pairs.get('t'), now) });
  }
  return out;
}

/** `RateLimit-Remaining` / `X-RateLimit-Remaining` with `RateLimit-Reset` / `X-RateLimit-Reset`. */
function parseSeparate(headers: Headers, now: number): Named | undefined {
  for (const prefix of ['ratelimit-', 'x-ratelimit-']) {
    const remaining = count(field(headers, `${prefix}remaining`));
    if (remaining === undefined) continue;
    return {
      remaining,
      resetMs: resetOf(field(headers, `${prefix}reset`), now),
      limit: count(field(headers, `${prefix}limit`)),
    };
  }
  return undefined;
}

/**
 * The windows of `RateLimit-Policy` by name: `300;w=60` (Postman: the quota first) or the IETF
 * `"default";q=300;w=60`, each with its quota and its length in ms.
 */
function parsePolicies(
  policy: string | undefined,
): Map<string, { limit?: number | undefined; windowMs?: number | undefined }> {
  const out = new Map<string, { limit?: number | undefined; windowMs?: number | undefined }>();
  for (const item of policy?.split(',') ?? []) {
    const [head = '', ...params] = item.split(';');
    const pairs = keyValues(params);
    const seconds = number(pairs.get('w'));
    const quota = count(pairs.get('q')) ?? count(head);
    const name = count(head) === undefined ? unquote(head) : '';
    out.set(name, {
      ...(quota === undefined ? {} : { limit: quota }),
      ...(seconds === undefined ? {} : { windowMs: seconds * 1000 }),
    });
  }
  return out;
}

function unquote(text: string): string {
  return text.trim().replace(/^"(.*)"$/, '$1');
}

function keyValues(parts: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of parts) {
    const at = part.indexOf('=');
    if (at > 0) out.set(part.slice(0, at).trim().toLowerCase(), part.slice(at + 1).trim());
  }
  return out;
}

/** A reset in seconds from now, or an epoch time in seconds; NaN when missing or garbage. */
function resetOf(text: string | undefined, now: number): number {
  const seconds = number(text);
  if (seconds === undefined) return Number.NaN;
  return seconds > EPOCH_SECONDS ? Math.max(0, seconds * 1000 - now) : seconds * 1000;
}

function count(text: string | undefined): number | undefined {
  const value = number(text);
  return value === undefined ? undefined : Math.floor(value);
}

function number(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const trimmed = text.trim().replace(/^"(.*)"$/, '$1');
  if (!/^\d+(\.\d+)?$/.test(trimmed)) return undefined;
  const value = Number(trimmed);
  return Number.isFinite(value) ? value : undefined;
}

// Below this many requests left in a server's window, the rest are spread until it resets.
const SPREAD_BELOW = 10;

/**
 * Where the server's current window stands, as its headers last said, and the pace that keeps
 * under it: nothing left, wait for the reset; a few left, spread them until it. When the server
 * named its quota and window length, the next window is assumed to follow the one that reset.
 */
export class ServerWindow {
  #heardAt = 0;
  #left = Number.POSITIVE_INFINITY;
  #resetAt = 0;
  #windowMs = 0;
  #limit = 0;

  /** What an answer said, at `now`; `unseen` requests went out after it and are not counted yet. */
  heard(limit: ServerLimit, now: number, unseen: number, maxMs: number): void {
    this.#left = limit.remaining - unseen;
    this.#resetAt = now + Math.min(limit.resetMs, maxMs);
    this.#heardAt = now;
    this.#windowMs = limit.windowMs ?? 0;
    this.#limit = limit.limit ?? 0;
  }

  /** A request goes at `now`. */
  sent(now: number): void {
    this.#roll(now);
    if (this.#resetAt > now) this.#left -= 1;
  }

  /**
   * How long a request must wait at `now` (the last one went at `lastSentAt`); a reset the
   * server asked for holds it `maxHoldMs` at most from when it was heard.
   */
  hold(now: number, lastSentAt: number, maxHoldMs: number): number {
    this.#roll(now);
    if (this.#resetAt <= now) return 0;
    if (this.#left <= 0) return Math.min(this.#resetAt, this.#heardAt + maxHoldMs) - now;
    if (this.#left >= SPREAD_BELOW) return 0;
    return lastSentAt + (this.#resetAt - lastSentAt) / (this.#left + 1) - now;
  }

  /** Until when nothing is left (ms since the epoch), or 0. */
  get exhaustedUntil(): number {
    return this.#left <= 0 ? this.#resetAt : 0;
  }

  #roll(now: number): void {
    if (this.#resetAt > now || this.#windowMs <= 0 || this.#limit <= 0) return;
    this.#resetAt += (Math.floor((now - this.#resetAt) / this.#windowMs) + 1) * this.#windowMs;
    this.#left = this.#limit;
    this.#heardAt = now;
  }
}
