/**
 * A binary min-heap whose items know their place in it, so that one can leave the middle of the
 * queue (an aborted request, a stopped wait) in O(log n) instead of lingering until it is popped.
 *
 * @module
 */

/** An item of a {@link Heap}: the heap keeps `heapIndex` up to date; -1 when it is not in one. */
export interface HeapItem {
  heapIndex: number;
}

/** A min-heap ordered by `before(a, b)`: true when `a` comes first. */
export class Heap<T extends HeapItem> {
  readonly #items: T[] = [];
  readonly #before: (a: T, b: T) => boolean;

  constructor(before: (a: T, b: T) => boolean) {
    this.#before = before;
  }

  get size(): number {
    return this.#items.length;
  }

  /** Every item, in no particular order. */
  items(): readonly T[] {
    return this.#items;
  }

  /** The first item, left in place. */
  peek(): T | undefined {
    return this.#items[0];
  }

  push(item: T): void {
    item.heapIndex = this.#items.length;
    this.#items.push(item);
    this.#up(item.heapIndex);
  }

  /** Takes the first item out. */
  pop(): T | undefined {
    const first = this.#items[0];
    if (first !== undefined) this.remove(first);
    return first;
  }

  /** Takes `item` out, wherever it is; nothing when it is not in this heap. */
  remove(item: T): void {
    const at = item.heapIndex;
    if (at < 0 || this.#items[at] !== item) return;
    const last = this.#items.pop() as T;
    item.heapIndex = -1;
    if (last === item) return;
    this.#items[at] = last;
    last.heapIndex = at;
    this.#down(at);
    this.#up(last.heapIndex);
  }

  #up(at: number): void {
    const items = this.#items;
    const item = items[at] as T;
    while (at > 0) {
      const parentAt = (at - 1) >> 1;
      const parent = items[parentAt] as T;
      if (!this.#before(item, parent)) break;
      items[at] = parent;
      parent.heapIndex = at;
      at = parentAt;
    }
    items[at] = item;
    item.heapIndex = at;
  }

  #down(at: number): void {
    const items = this.#items;
    const item = items[at] as T;
    for (;;) {
      const left = 2 * at + 1;
      if (left >= items.length) break;
      const right = left + 1;
      const child = right < items.length && this.#before(items[right] as T, items[left] as T) ? right : left;
      if (!this.#before(items[child] as T, item)) break;
      items[at] = items[child] as T;
      (items[at] as T).heapIndex = at;
      at = child;
    }
    items[at] = item;
    item.heapIndex = at;
  }
}
