/**
 * The request budget of a client: every request asks it before each attempt and tells it the
 * answer after, as AWS SDK v3's `DefaultRateLimiter` does (`getSendToken()` before,
 * `updateClientSendingRate(response)` after). It holds the concurrency cap, a token bucket, the
 * adaptive rate (cut on throttling, recovered on a cubic curve), a floor shared by every request
 * after a 429 or `Retry-After`, and the pace the server's rate-limit headers ask for. Requests that
 * can't go yet wait in one queue: polls first (the latest wait first), then single requests, then
 * pages.
 *
 * @module
 */
import { ConfigError } from './errors.js';
import { Heap, type HeapItem } from './heap.js';
import { type GatePass, type RequestGate, type RequestPriority, retryHint } from './http.js';
import { checkRateLimit, type RateLimit, readServerLimit } from './ratelimit.js';

export type { RateLimit } from './ratelimit.js';

/** Options of {@link createBudget}, and the budget options of `createClient`. */
export interface BudgetOptions {
  /** The most requests in flight at once. Default 32. */
  maxConcurrency?: number;
  /**
   * A token bucket every request takes a token from. Default for a client: the vendor's documented
   * limit (Postman: 300 per minute) on the vendor's own base URL, else none until the server
   * throttles; `false` for none at all.
   */
  rateLimit?: RateLimit | false;
}

/** What a budget is doing, for monitoring and tests. */
export interface BudgetStats {
  /** Requests in flight. */
  inFlight: number;
  /** Requests waiting for their turn. */
  queued: number;
  /** The rate requests may go at now (the bucket's, after any cut); `Infinity` when unlimited. */
  requestsPerSecond: number;
  /** Until when (ms since the epoch) every request is held back by a 429, a `Retry-After` or a window with no requests left; undefined when not. */
  pausedUntil: number | undefined;
  /** Throttling answers seen (429s, and 503s that ask for a pause). */
  throttled: number;
  /** Attempts let through so far. */
  sent: number;
}

/**
 * One request budget. Every client has its own; clients share one only when they are given the
 * same object (`createClient(vendor, { budget })`).
 */
export interface RequestBudget {
  /** What the budget is doing now. */
  readonly stats: BudgetStats;
}

/**
 * A request budget to share between clients that use one account (the same vendor and token):
 * pass it to each `createClient` as `budget`. Clients made without it each have their own, even
 * with the same token.
 *
 * @example
 * ```ts
 * const budget = createBudget({ maxConcurrency: 8, rateLimit: { requestsPerSecond: 5 } });
 * const a = createClient(postman, { token, budget });
 * const b = createClient(postman, { token, budget, baseUrl: 'https://api.postman.com' });
 * ```
 */
export function createBudget(options: BudgetOptions = {}): RequestBudget {
  return new Budget(options, undefined);
}

/** How each client's requests speak to a (possibly shared) budget. */
export interface GateSettings {
  /** Vendor headers that carry a retry delay in seconds, besides `Retry-After`. */
  retryAfterHeaders: readonly string[];
  /** The longest pause a server's hint may impose. */
  maxRetryAfterMs: number;
}

export const DEFAULT_MAX_CONCURRENCY = 32;
// A page waits behind polls due up to this long after it asked.
const PAGE_PENALTY_MS = 2000;
// Lateness counts for at most this much.
const MAX_LATE_MS = 600_000;
// A 429 without a hint holds every request back this long.
const BARE_429_PAUSE_MS = 1000;
// Below this many requests left in a server's window, the rest are spread until it resets.
const SPREAD_BELOW = 10;
// The AWS adaptive mode's constants: cut to 70 % on throttling, then a cubic climb.
const BETA = 0.7;
const SCALE = 0.4;
const MIN_RATE = 0.5;
const MEASURE_MS = 500;
const SMOOTH = 0.8;
// An adaptive rate above this, with nothing configured, is as good as none.
const UNLIMITED_RATE = 1000;

interface Entry extends HeapItem {
  key: number;
  seq: number;
  priority: RequestPriority | undefined;
  signal: AbortSignal | undefined;
  settings: GateSettings;
  /** The longest a server's hint may hold this request back. */
  maxHoldMs: number;
  resolve: (pass: GatePass) => void;
  reject: (reason: unknown) => void;
  onAbort: (() => void) | undefined;
}

const before = (a: Entry, b: Entry) => a.key < b.key || (a.key === b.key && a.seq < b.seq);

/** The budget behind {@link createBudget} and each client's own. */
export class Budget implements RequestBudget {
  readonly #maxConcurrency: number;
  /** The configured rate, or Infinity. */
  readonly #maxRate: number;
  readonly #burst: number;
  readonly #queue = new Heap<Entry>(before);
  #seq = 0;
  /** Queued requests that obey a server's hint for less than their client does. */
  #shortHolds = 0;
  #inFlight = 0;
  #sent = 0;
  #throttled = 0;
  // The token bucket: on when a rate is configured or the server has throttled.
  #rate: number;
  #tokens: number;
  #refilledAt = Date.now();
  // The adaptive mode's state.
  #adaptive = false;
  #lastMaxRate = 0;
  #lastThrottleAt = Number.NEGATIVE_INFINITY;
  #measured = 0;
  #measureStart = Date.now();
  #measureCount = 0;
  // The shared floor, and the server's window as its headers describe it.
  #pausedUntil = 0;
  #pausedAt = 0;
  #windowAt = 0;
  #windowLeft = Number.POSITIVE_INFINITY;
  #windowResetAt = 0;
  /** The length and quota of the server's windows, when it said: the next window is assumed to follow. */
  #windowMs = 0;
  #windowLimit = 0;
  #lastSentAt = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #timerAt = Number.POSITIVE_INFINITY;

  constructor(options: BudgetOptions, vendorLimit: RateLimit | undefined) {
    const maxConcurrency = options.maxConcurrency ?? DEFAULT_MAX_CONCURRENCY;
    if (
      typeof maxConcurrency !== 'number' ||
      !(maxConcurrency >= 1) ||
      (!Number.isInteger(maxConcurrency) && maxConcurrency !== Number.POSITIVE_INFINITY)
    ) {
      throw new ConfigError(
        'maxConcurrency',
        `maxConcurrency must be a whole number of at least 1 (or Infinity), got ${describe(maxConcurrency)}`,
      );
    }
    const limit = options.rateLimit === false ? undefined : (options.rateLimit ?? vendorLimit);
    if (limit !== undefined) checkRateLimit(limit);
    this.#maxConcurrency = maxConcurrency;
    this.#maxRate = limit?.requestsPerSecond ?? Number.POSITIVE_INFINITY;
    this.#burst = limit?.burst ?? Math.max(1, limit?.requestsPerSecond ?? 1);
    this.#rate = this.#maxRate;
    this.#tokens = this.#burst;
  }

  get stats(): BudgetStats {
    const now = Date.now();
    const paused = Math.max(this.#pausedUntil, this.#windowLeft <= 0 ? this.#windowResetAt : 0);
    return {
      inFlight: this.#inFlight,
      queued: this.#queue.size,
      requestsPerSecond: this.#rate,
      pausedUntil: paused > now ? paused : undefined,
      throttled: this.#throttled,
      sent: this.#sent,
    };
  }

  /** The gate one client's HTTP layer asks. */
  gate(settings: GateSettings): RequestGate {
    return {
      acquire: (signal, priority, maxHoldMs) =>
        this.#acquire(
          signal,
          priority,
          settings,
          Math.min(maxHoldMs ?? settings.maxRetryAfterMs, settings.maxRetryAfterMs),
        ),
    };
  }

  #acquire(
    signal: AbortSignal | undefined,
    priority: RequestPriority | undefined,
    settings: GateSettings,
    maxHoldMs: number,
  ): Promise<GatePass> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    const now = Date.now();
    if (this.#queue.size === 0 && this.#inFlight < this.#maxConcurrency && this.#holdFor(now, maxHoldMs) <= 0) {
      return Promise.resolve(this.#grant(now, priority, settings));
    }
    return new Promise<GatePass>((resolve, reject) => {
      const entry: Entry = {
        heapIndex: -1,
        key: keyOf(priority, now),
        seq: this.#seq++,
        priority,
        signal,
        settings,
        maxHoldMs,
        resolve,
        reject,
        onAbort: undefined,
      };
      if (signal) {
        entry.onAbort = () => {
          this.#queue.remove(entry);
          if (maxHoldMs < settings.maxRetryAfterMs) this.#shortHolds -= 1;
          reject(signal.reason);
          this.#pump();
        };
        signal.addEventListener('abort', entry.onAbort, { once: true });
      }
      this.#queue.push(entry);
      if (maxHoldMs < settings.maxRetryAfterMs) this.#shortHolds += 1;
      this.#pump();
    });
  }

  /** Lets queued requests go while they may; arms the one timer for when the next may. */
  #pump(): void {
    for (;;) {
      const head = this.#queue.peek();
      if (head === undefined || this.#inFlight >= this.#maxConcurrency) break;
      const now = Date.now();
      const { entry, hold } = this.#next(head, now);
      if (hold > 0) {
        this.#arm(now + hold);
        return;
      }
      this.#queue.remove(entry);
      if (entry.maxHoldMs < entry.settings.maxRetryAfterMs) this.#shortHolds -= 1;
      if (entry.onAbort) entry.signal?.removeEventListener('abort', entry.onAbort);
      entry.resolve(this.#grant(now, entry.priority, entry.settings));
    }
    // Nothing can go on a timer now (the queue is empty, or full slots will call back).
    this.#disarm();
  }

  /**
   * The entry to go next and how long it must wait: the head, unless a server's hint holds it and
   * a request that obeys hints for less time (its wait's `maxRetryAfterMs`) may go sooner.
   */
  #next(head: Entry, now: number): { entry: Entry; hold: number } {
    const hold = this.#holdFor(now, head.maxHoldMs);
    if (hold <= 0 || this.#shortHolds === 0) return { entry: head, hold };
    let best = { entry: head, hold };
    for (const entry of this.#queue.items()) {
      if (entry.maxHoldMs >= head.maxHoldMs) continue;
      const own = this.#holdFor(now, entry.maxHoldMs);
      if (own < best.hold || (own <= 0 && best.hold <= 0 && before(entry, best.entry))) best = { entry, hold: own };
    }
    return best;
  }

  /**
   * How long the next request must wait: the floor, the server's window, the bucket. What a
   * server's hint imposes lasts `maxHoldMs` at most from when it was heard.
   */
  #holdFor(now: number, maxHoldMs: number): number {
    this.#nextWindow(now);
    let hold = Math.min(this.#pausedUntil, this.#pausedAt + maxHoldMs) - now;
    if (this.#windowResetAt > now) {
      if (this.#windowLeft <= 0) hold = Math.max(hold, Math.min(this.#windowResetAt, this.#windowAt + maxHoldMs) - now);
      else if (this.#windowLeft < SPREAD_BELOW) {
        const spacing = (this.#windowResetAt - this.#lastSentAt) / (this.#windowLeft + 1);
        hold = Math.max(hold, this.#lastSentAt + spacing - now);
      }
    }
    if (Number.isFinite(this.#rate)) {
      this.#refill(now);
      if (this.#tokens < 1) hold = Math.max(hold, ((1 - this.#tokens) / this.#rate) * 1000);
    }
    return hold;
  }

  #grant(now: number, priority: RequestPriority | undefined, settings: GateSettings): GatePass {
    this.#inFlight += 1;
    this.#sent += 1;
    this.#lastSentAt = now;
    if (Number.isFinite(this.#rate)) this.#tokens -= 1;
    this.#nextWindow(now);
    if (this.#windowResetAt > now) this.#windowLeft -= 1;
    this.#measure(now, 1);
    if (priority?.kind === 'poll' && priority.sentAt === undefined) priority.sentAt = now;
    const sentSeq = this.#sent;
    let released = false;
    return {
      release: (status, headers) => {
        if (released) return;
        released = true;
        this.#inFlight -= 1;
        if (status !== undefined && headers !== undefined) this.#heard(status, headers, now, sentSeq, settings);
        this.#pump();
      },
    };
  }

  /** What one answer says: a throttle, a floor, the server's window; and the adaptive rate moves. */
  #heard(status: number, headers: Headers, sentAt: number, sentSeq: number, settings: GateSettings): void {
    const now = Date.now();
    const hint = status >= 400 ? retryHint(headers, settings.retryAfterHeaders, now) : undefined;
    const throttled = status === 429 || (status === 503 && hint !== undefined && hint > 0);
    if (hint !== undefined || status === 429) {
      this.#pause(now, now + Math.min(hint ?? BARE_429_PAUSE_MS, settings.maxRetryAfterMs));
    }
    const window = readServerLimit(headers, now);
    if (window) {
      // Requests sent after this one went out are not in the server's count yet.
      this.#windowLeft = window.remaining - (this.#sent - sentSeq);
      this.#windowResetAt = now + Math.min(window.resetMs, settings.maxRetryAfterMs);
      this.#windowAt = now;
      this.#windowMs = window.windowMs ?? 0;
      this.#windowLimit = window.limit ?? 0;
    }
    if (throttled) {
      this.#throttled += 1;
      // One cut per wave: answers to requests sent before the last cut carry old news. A server
      // that says where its window stands is paced by that instead: the cut is for the others.
      if (!window && sentAt >= this.#lastThrottleAt) this.#cut(now);
    } else if (this.#adaptive) {
      this.#recover(now);
    }
  }

  /** A server window that has reset, when its length and quota are known, starts the next one. */
  #nextWindow(now: number): void {
    if (this.#windowResetAt > now || this.#windowMs <= 0 || this.#windowLimit <= 0) return;
    const passed = Math.floor((now - this.#windowResetAt) / this.#windowMs) + 1;
    this.#windowResetAt += passed * this.#windowMs;
    this.#windowLeft = this.#windowLimit;
    this.#windowAt = now;
  }

  #pause(now: number, until: number): void {
    if (until <= this.#pausedUntil) return;
    this.#pausedUntil = until;
    this.#pausedAt = now;
  }

  #cut(now: number): void {
    this.#refill(now);
    const measured = this.#measured > 0 ? this.#measured : this.#instantRate(now);
    const base = Number.isFinite(this.#rate) ? Math.min(this.#rate, measured || this.#rate) : measured;
    this.#lastMaxRate = Math.max(MIN_RATE, base);
    this.#lastThrottleAt = now;
    this.#adaptive = true;
    this.#setRate(Math.max(MIN_RATE, this.#lastMaxRate * BETA));
  }

  #recover(now: number): void {
    const seconds = (now - this.#lastThrottleAt) / 1000;
    const window = Math.cbrt((this.#lastMaxRate * (1 - BETA)) / SCALE);
    // AWS also caps this at twice the measured rate; waits poll in bursts after quiet spells, which
    // that cap would throttle for no reason.
    const rate = SCALE * (seconds - window) ** 3 + this.#lastMaxRate;
    if (rate >= this.#maxRate || (!Number.isFinite(this.#maxRate) && rate > UNLIMITED_RATE)) {
      this.#adaptive = false;
      this.#setRate(this.#maxRate);
      return;
    }
    this.#setRate(Math.max(MIN_RATE, rate));
  }

  #setRate(rate: number): void {
    this.#refill(Date.now());
    this.#rate = rate;
    const capacity = rate < this.#maxRate ? Math.max(1, rate) : this.#burst;
    if (!Number.isFinite(rate)) this.#tokens = this.#burst;
    else this.#tokens = Math.min(this.#tokens, capacity);
  }

  #refill(now: number): void {
    if (Number.isFinite(this.#rate) && now > this.#refilledAt) {
      const capacity = this.#rate < this.#maxRate ? Math.max(1, this.#rate) : this.#burst;
      this.#tokens = Math.min(capacity, this.#tokens + ((now - this.#refilledAt) / 1000) * this.#rate);
    }
    this.#refilledAt = now;
  }

  /** The sending rate, smoothed over half-second buckets. */
  #measure(now: number, sends: number): void {
    if (now - this.#measureStart >= MEASURE_MS) {
      const rate = (this.#measureCount * 1000) / (now - this.#measureStart);
      this.#measured = rate * SMOOTH + this.#measured * (1 - SMOOTH);
      this.#measureStart = now;
      this.#measureCount = 0;
    }
    this.#measureCount += sends;
  }

  #instantRate(now: number): number {
    return (this.#measureCount * 1000) / Math.max(100, now - this.#measureStart);
  }

  #arm(at: number): void {
    if (this.#timer !== undefined && this.#timerAt <= at) return;
    this.#disarm();
    this.#timerAt = at;
    this.#timer = setTimeout(
      () => {
        this.#timer = undefined;
        this.#timerAt = Number.POSITIVE_INFINITY;
        this.#pump();
      },
      Math.max(0, at - Date.now()),
    );
  }

  #disarm(): void {
    if (this.#timer === undefined) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = Number.POSITIVE_INFINITY;
  }
}

/** Earlier is first: the time a request was due, less how late its wait already runs; pages later. */
function keyOf(priority: RequestPriority | undefined, now: number): number {
  if (priority === undefined) return now;
  const due = priority.dueAt ?? now;
  const late = Math.min(MAX_LATE_MS, Math.max(0, priority.lateMs ?? 0));
  return due - late + (priority.kind === 'page' ? PAGE_PENALTY_MS : 0);
}

function describe(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'boolean' || value === undefined || value === null) {
    return String(value);
  }
  return typeof value;
}
