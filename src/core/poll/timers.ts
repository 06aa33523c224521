/**
 * The timers of a client's or a group's waits: one entry per due time and one `setTimeout` for the
 * earliest, however many waits sleep in it. A wait that leaves (it ended, or was stopped) leaves its entry
 * at once.
 *
 * @module
 */
import type { Wakeable, WakeScheduler } from './driven.js';

// setTimeout's limit: a longer delay fires at once, so it is reached in steps.
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * A wait's wake never throws; if it did, the waits due after it would still be woken, and the error
 * would surface as an uncaught one, as from a timer of its own.
 */
function wakeOne(wait: Wakeable): void {
  try {
    wait.wake();
  } catch (error) {
    queueMicrotask(() => {
      throw error;
    });
  }
}

/** Wakes each wait at its `wakeAt`, on one timer. */
export class DueTimers implements WakeScheduler {
  /** The waits due at each time: one wait, or several in the order they came. */
  readonly #due = new Map<number, Wakeable | Wakeable[]>();
  /** The due times, as a binary min-heap; a time whose waits all left stays until it comes up. */
  readonly #times: number[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  #timerAt = Number.POSITIVE_INFINITY;

  /** How many due times hold waits: the scheduler's entries. */
  get entries(): number {
    return this.#due.size;
  }

  add(wait: Wakeable): void {
    const at = wait.wakeAt;
    const entry = this.#due.get(at);
    if (entry === undefined) {
      this.#due.set(at, wait);
      this.#push(at);
    } else if (Array.isArray(entry)) {
      entry.push(wait);
    } else {
      this.#due.set(at, [entry, wait]);
    }
    if (at < this.#timerAt) this.#arm();
  }

  remove(wait: Wakeable): void {
    const at = wait.wakeAt;
    const entry = this.#due.get(at);
    if (entry === wait) {
      this.#due.delete(at);
    } else if (Array.isArray(entry)) {
      const index = entry.indexOf(wait);
      if (index >= 0) entry.splice(index, 1);
      if (entry.length === 0) this.#due.delete(at);
    }
    if (this.#due.size === 0) this.clear();
  }

  /** Drops every entry and the timer. */
  clear(): void {
    this.#due.clear();
    this.#times.length = 0;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = Number.POSITIVE_INFINITY;
  }

  #fire(): void {
    this.#timer = undefined;
    this.#timerAt = Number.POSITIVE_INFINITY;
    const now = Date.now();
    while (this.#times.length > 0 && (this.#times[0] as number) <= now) {
      const at = this.#pop();
      const entry = this.#due.get(at);
      if (entry === undefined) continue;
      this.#due.delete(at);
      if (Array.isArray(entry)) for (const wait of entry) wakeOne(wait);
      else wakeOne(entry);
    }
    this.#arm();
  }

  #arm(): void {
    // Times whose waits all left are dropped here, as they come up.
    while (this.#times.length > 0 && !this.#due.has(this.#times[0] as number)) this.#pop();
    const next = this.#times[0];
    if (next === undefined) {
      this.clear();
      return;
    }
    if (this.#timer !== undefined && this.#timerAt === next) return;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timerAt = next;
    this.#timer = setTimeout(() => this.#fire(), Math.min(MAX_TIMER_MS, Math.max(0, next - Date.now())));
  }

  #push(at: number): void {
    const times = this.#times;
    let i = times.length;
    times.push(at);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if ((times[parent] as number) <= at) break;
      times[i] = times[parent] as number;
      i = parent;
    }
    times[i] = at;
  }

  #pop(): number {
    const times = this.#times;
    const top = times[0] as number;
    const last = times.pop() as number;
    if (times.length > 0) {
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        if (left >= times.length) break;
        const right = left + 1;
        const child = right < times.length && (times[right] as number) < (times[left] as number) ? right : left;
        if ((times[child] as number) >= last) break;
        times[i] = times[child] as number;
        i = child;
      }
      times[i] = last;
    }
    return top;
  }
}
