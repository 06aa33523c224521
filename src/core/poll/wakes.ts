/**
 * The pending waits of one client by task, for a push (a webhook) to wake: one map entry per task
 * awaited, added when a wait starts and removed when it ends, so nothing outlives a wait. The key
 * is opaque here (the client uses the task's URL).
 *
 * @module
 */

/** A wait a push can rouse: it polls at once, or right after the request it has in flight. */
export interface Rousable {
  rouse(): void;
}

/** The waits of one client by key: usually one wait per task, so an entry holds one wait or a few. */
export class WakeRegistry {
  readonly #waits = new Map<string, Rousable | Rousable[]>();

  /** How many tasks have a pending wait. */
  get size(): number {
    return this.#waits.size;
  }

  add(key: string, wait: Rousable): void {
    const entry = this.#waits.get(key);
    if (entry === undefined) this.#waits.set(key, wait);
    else if (Array.isArray(entry)) entry.push(wait);
    else this.#waits.set(key, [entry, wait]);
  }

  remove(key: string, wait: Rousable): void {
    const entry = this.#waits.get(key);
    if (entry === wait) {
      this.#waits.delete(key);
    } else if (Array.isArray(entry)) {
      const at = entry.indexOf(wait);
      if (at >= 0) entry.splice(at, 1);
      if (entry.length === 0) this.#waits.delete(key);
    }
  }

  /** Rouses every wait on `key`; returns how many there were (0 for a task nobody awaits). */
  wake(key: string): number {
    const entry = this.#waits.get(key);
    if (entry === undefined) return 0;
    if (!Array.isArray(entry)) {
      entry.rouse();
      return 1;
    }
    // A copy: a wait that ends leaves the list.
    const waits = [...entry];
    for (const wait of waits) wait.rouse();
    return waits.length;
  }
}
