/**
 * One async-iterable paginator for offset, page-number, cursor and embedded pages. A vendor says
 * how to fetch the page a cursor names and which cursor comes next; this walks, prefetches,
 * stops loops and cleans up.
 *
 * @module
 */
import { abortable } from '../abort.js';
import { ConfigError, TaskwaitError } from '../errors.js';
import { clip, describeValue } from '../redact.js';

/** A page as a {@link PageSource} fetches it. */
export interface PageContent<Item, Meta = unknown> {
  /** The page's items, in order. */
  items: readonly Item[];
  /** The page's own metadata (its `pagination` object, `$meta`, ...). */
  meta: Meta;
  /**
   * The cursor of the next page; `undefined` when this is the last. An empty page with a next
   * cursor does not end the walk. JSON: save it, and pass it as `startAt` to go on from there.
   */
  next: unknown;
}

/** One fetched page. */
export interface Page<Item, Meta = unknown> extends PageContent<Item, Meta> {
  /**
   * The cursor that fetched this page (JSON: an offset, a page number, a cursor string, an object).
   * Save it, and pass it as `startAt` to walk again from this page, in another process too.
   */
  cursor: unknown;
}

/** How to fetch pages: the first cursor and a fetch for any cursor. */
export interface PageSource<Item, Meta = unknown> {
  /** The cursor of the first page (an offset, a page number, a cursor string, a URL, ...). */
  first: unknown;
  /** Fetches the page `cursor` names. Must honour `signal`. */
  fetch(cursor: unknown, signal: AbortSignal): Promise<PageContent<Item, Meta>>;
  /**
   * Checks a saved cursor given as `startAt` (it comes from outside: JSON from a file, a queue) and
   * returns the cursor to fetch first; throws a {@link ConfigError} naming `startAt` when it is no
   * cursor of this list. Without it, `startAt` is used as given.
   */
  resume?: ((cursor: unknown) => unknown) | undefined;
}

/** Options of one walk. */
export interface PagingOptions {
  /**
   * Pages fetched ahead of the one being consumed: 1 (the default) fetches page N+1 while the
   * consumer works on page N; 0 fetches each page only when it is asked for.
   */
  prefetch?: number | undefined;
  /** A walk longer than this many pages ends with a {@link PagingError}. Default 10000. */
  maxPages?: number | undefined;
  /**
   * This many empty pages in a row that still point to a next page end the walk with a
   * {@link PagingError}: a server that says "more" forever is not followed for ever. Default 100.
   */
  maxEmptyPages?: number | undefined;
  /**
   * Whether a page with the same items as an earlier one ends the walk with a {@link PagingError}
   * (a server that ignores the page or cursor it is sent, behind ever-new `next` links). Pages
   * are told apart by a fingerprint of their length and first and last items; the check catches
   * a repeat of any of the last few pages, and a loop of any length soon after it has come round
   * twice. Default true; turn it off for a list whose pages may hold the very same records.
   */
  detectRepeats?: boolean | undefined;
  /** Stops the walk; the iterator rejects with the signal's reason. */
  signal?: AbortSignal | undefined;
  /**
   * Starts the walk at a saved page instead of the first: a page's `cursor` (to fetch that page
   * again) or its `next` (to go on after it), as JSON gave it back. A walk that stopped at page
   * 4,000 goes on from there. A cursor that is a server's URL goes through the same origin check
   * as the server's own `next` link. Default: the first page.
   */
  startAt?: unknown;
}

/**
 * A walk that can't go on sensibly: a cursor or a page that repeats, or too many pages.
 *
 * @group Errors
 */
export class PagingError extends TaskwaitError {
  override name = 'PagingError';
  /** Pages fetched before the walk stopped. */
  readonly pages: number;

  constructor(message: string, pages: number) {
    super(message);
    this.pages = pages;
  }
}

/** Items one by one with `for await`; whole pages with `.pages()`; a bounded array with `.toArray()`. */
export interface Paginator<Item, Meta = unknown> extends AsyncIterable<Item> {
  /** Iterates whole pages, each with its metadata. */
  pages(): AsyncIterable<Page<Item, Meta>>;
  /**
   * Collects items into an array. `limit` is required so nobody loads a million rows by accident;
   * pass `Infinity` to mean it.
   */
  toArray(options: { limit: number }): Promise<Item[]>;
}

// 10,000 pages is a million records at 100 a page; more is rarely a walk anyone meant.
const DEFAULT_MAX_PAGES = 10_000;
const DEFAULT_MAX_EMPTY_PAGES = 100;
// How many of the latest cursors and pages a new one is compared with, besides the checkpoint.
const RECENT = 8;

/** A cursor as text, its kind first: the string `"1"` and the number 1 are different cursors. */
function cursorKey(cursor: unknown): string {
  if (typeof cursor === 'string') return `s:${cursor}`;
  try {
    return `j:${JSON.stringify(cursor) ?? describeValue(cursor)}`;
  } catch {
    return `j:${describeValue(cursor)}`;
  }
}

/**
 * A 64-bit fingerprint of `text` (two 32-bit multiplicative hashes) and its length: constant
 * memory per cursor or page, however long the server made it.
 */
function fingerprint(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x9747b28c ^ text.length;
  // Stryker disable next-line EqualityOperator: one more round on NaN changes every fingerprint alike
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 13;
  }
  return `${text.length}:${(a >>> 0).toString(36)}:${(b >>> 0).toString(36)}`;
}

/** The fingerprint of a page: its length and its first and last items. Undefined when they are no JSON. */
function pageFingerprint(items: readonly unknown[]): string | undefined {
  try {
    return fingerprint(`${items.length}|${JSON.stringify(items[0])}|${JSON.stringify(items[items.length - 1])}`);
  } catch {
    return undefined;
  }
}

/**
 * Whether a fingerprint came before: one of the last {@link RECENT}, or the checkpoint, which moves
 * to the newest at steps 1, 2, 4, 8, ... (Brent's cycle finding). A loop of any length is caught
 * soon after it comes round twice, in constant memory.
 */
class RepeatGuard {
  // Stryker disable next-line ArrayDeclaration: no fingerprint equals a string without colons, and it is shifted out before the window is full
  readonly #recent: string[] = [];
  #checkpoint: string | undefined;
  #steps = 0;
  #span = 1;

  /** Records `print`; true when it was seen before. */
  repeats(print: string): boolean {
    if (print === this.#checkpoint || this.#recent.includes(print)) return true;
    this.#recent.push(print);
    if (this.#recent.length > RECENT) this.#recent.shift();
    this.#steps += 1;
    if (this.#steps === this.#span) {
      this.#checkpoint = print;
      this.#span *= 2;
      this.#steps = 0;
    }
    return false;
  }
}

/** Whether `value` survives `JSON.stringify` and `JSON.parse` as it is: text, a finite number, a boolean, null, arrays and plain objects of them. */
function isJson(value: unknown, depth = 0): boolean {
  if (depth > 20) return false;
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every((item) => isJson(item, depth + 1));
  if (typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return false;
  return Object.values(value).every((item) => item === undefined || isJson(item, depth + 1));
}

/** The first cursor of a walk given `startAt`: JSON, and one the source takes. */
function startCursor(source: PageSource<unknown, unknown>, startAt: unknown): unknown {
  if (!isJson(startAt)) {
    throw new ConfigError(
      'startAt',
      `startAt must be a page's cursor as JSON gives it back (text, a number or a plain object), got ${describeValue(startAt)}`,
    );
  }
  return source.resume ? source.resume(startAt) : startAt;
}

/** Creates a {@link Paginator} over `source`. */
export function paginate<Item, Meta = unknown>(
  source: PageSource<Item, Meta>,
  options: PagingOptions = {},
): Paginator<Item, Meta> {
  const prefetch = options.prefetch ?? 1;
  const maxPages = options.maxPages ?? DEFAULT_MAX_PAGES;
  const maxEmptyPages = options.maxEmptyPages ?? DEFAULT_MAX_EMPTY_PAGES;
  const detectRepeats = options.detectRepeats ?? true;
  if (prefetch !== 0 && prefetch !== 1) {
    throw new ConfigError('prefetch', `prefetch must be 0 or 1, got ${describeValue(prefetch)}`);
  }
  if (typeof maxPages !== 'number' || !(maxPages >= 1)) {
    throw new ConfigError('maxPages', `maxPages must be at least 1, got ${describeValue(maxPages)}`);
  }
  if (typeof maxEmptyPages !== 'number' || !(maxEmptyPages >= 1)) {
    throw new ConfigError('maxEmptyPages', `maxEmptyPages must be at least 1, got ${describeValue(maxEmptyPages)}`);
  }
  if (typeof detectRepeats !== 'boolean') {
    throw new ConfigError('detectRepeats', `detectRepeats must be true or false, got ${describeValue(detectRepeats)}`);
  }
  const start = options.startAt === undefined ? source.first : startCursor(source, options.startAt);

  async function* pages(): AsyncGenerator<Page<Item, Meta>, void, undefined> {
    const userSignal = options.signal;
    userSignal?.throwIfAborted();
    const control = new AbortController();
    const onAbort = () => control.abort(userSignal?.reason);
    // Stryker disable next-line ObjectLiteral,BooleanLiteral: the finally below removes the listener on every path
    userSignal?.addEventListener('abort', onAbort, { once: true });
    const queue: Promise<Page<Item, Meta>>[] = [];
    const cursors = new RepeatGuard();
    cursors.repeats(fingerprint(cursorKey(start)));
    const pages = new RepeatGuard();
    let fetched = 0;
    let emptyInARow = 0;
    // Whether a known cursor waits to be fetched (the first one may itself be undefined).
    let hasPending = true;
    let pending: unknown = start;
    let exhausted = false;

    const request = (cursor: unknown) => {
      fetched += 1;
      const promise = source.fetch(cursor, control.signal).then((page): Page<Item, Meta> => ({ ...page, cursor }));
      // Marked handled now; the rejection still reaches the consumer when it gets to this page.
      promise.catch(() => {});
      queue.push(promise);
    };
    // Schedules fetches as far ahead as the cursors already known allow.
    const fill = (want: number) => {
      while (!exhausted && queue.length < want && hasPending) {
        request(pending);
        // Stryker disable next-line BooleanLiteral: every page taken sets a new pending cursor, or ends the walk, before the next fill
        hasPending = false;
      }
    };

    try {
      fill(1);
      while (queue.length > 0) {
        // Bounded by the walk's own signal even when a source's fetch ignores it.
        const page = await abortable(queue.shift() as Promise<Page<Item, Meta>>, control.signal);
        control.signal.throwIfAborted();
        if (detectRepeats && page.items.length > 0) {
          const print = pageFingerprint(page.items);
          if (print !== undefined && pages.repeats(print)) {
            throw new PagingError(
              `paging stopped: page ${fetched} holds the same items as an earlier page (the server ignores the page or cursor asked for)`,
              fetched,
            );
          }
        }
        // Stryker disable next-line BlockStatement: with no next cursor hasPending stays false too; exhausted says it plainly
        if (page.next === undefined || page.next === null) {
          // Stryker disable next-line BooleanLiteral: as above
          exhausted = true;
        } else {
          const key = cursorKey(page.next);
          if (cursors.repeats(fingerprint(key))) {
            throw new PagingError(
              `paging stopped: the server sent the cursor ${clip(key.slice(2), 80)} twice`,
              fetched,
            );
          }
          if (fetched >= maxPages) {
            throw new PagingError(`paging stopped after ${fetched} pages (maxPages)`, fetched);
          }
          emptyInARow = page.items.length === 0 ? emptyInARow + 1 : 0;
          if (emptyInARow >= maxEmptyPages) {
            throw new PagingError(
              `paging stopped: ${emptyInARow} empty pages in a row still said there was more (maxEmptyPages)`,
              fetched,
            );
          }
          pending = page.next;
          hasPending = true;
        }
        // Prefetch: ask for the next page before handing this one over.
        fill(prefetch > 0 ? 1 : 0);
        yield page;
        fill(1);
      }
    } catch (error) {
      if (control.signal.aborted && userSignal?.aborted) throw userSignal.reason;
      throw error;
    } finally {
      userSignal?.removeEventListener('abort', onAbort);
      // A break, an error or the end: cancel whatever is still in flight.
      // Stryker disable next-line ConditionalExpression: aborting an aborted controller does nothing
      if (!control.signal.aborted) control.abort();
    }
  }

  async function* items(): AsyncGenerator<Item, void, undefined> {
    for await (const page of pages()) yield* page.items;
  }

  return {
    pages,
    [Symbol.asyncIterator]: () => items(),
    async toArray({ limit }: { limit: number }): Promise<Item[]> {
      if (typeof limit !== 'number' || Number.isNaN(limit) || limit < 0) {
        throw new ConfigError('limit', 'toArray needs { limit }: a number of items, or Infinity to collect all');
      }
      const out: Item[] = [];
      if (limit === 0) return out;
      for await (const item of items()) {
        out.push(item);
        if (out.length >= limit) break;
      }
      return out;
    },
  };
}
