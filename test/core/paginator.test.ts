import { describe, expect, it } from 'vitest';
import { ConfigError, type PageContent, PagingError, paginate } from '../../src/index.js';

type Row = { n: number };
const rows = (from: number, count: number): Row[] => Array.from({ length: count }, (_, i) => ({ n: from + i }));

/** An offset/limit source over `total` rows, recording every request and every abort. */
function offsetSource(total: number, limit: number) {
  const log: { requested: number[]; aborted: number[]; open: number } = { requested: [], aborted: [], open: 0 };
  return {
    log,
    source: {
      first: 0,
      async fetch(cursor: unknown, signal: AbortSignal): Promise<PageContent<Row, { offset: number; total: number }>> {
        const offset = cursor as number;
        log.requested.push(offset);
        log.open++;
        const onAbort = () => log.aborted.push(offset);
        signal.addEventListener('abort', onAbort, { once: true });
        await new Promise((resolve) => setImmediate(resolve));
        signal.removeEventListener('abort', onAbort);
        log.open--;
        signal.throwIfAborted();
        const items = rows(offset, Math.max(0, Math.min(limit, total - offset)));
        return { items, meta: { offset, total }, next: offset + limit < total ? offset + limit : undefined };
      },
    },
  };
}

describe('paginate', () => {
  it('walks offset pages in order with no row lost or repeated', async () => {
    const { source } = offsetSource(1003, 100);
    const seen: number[] = [];
    for await (const row of paginate(source)) seen.push(row.n);
    expect(seen).toEqual(rows(0, 1003).map((r) => r.n));
  });

  it('walks page-number and cursor styles the same way', async () => {
    const pageNumbers = paginate({
      first: 1,
      fetch: async (page) => ({
        items: rows(((page as number) - 1) * 3, 3),
        meta: { page },
        next: (page as number) < 4 ? (page as number) + 1 : undefined,
      }),
    });
    expect((await pageNumbers.toArray({ limit: Number.POSITIVE_INFINITY })).map((r) => r.n)).toEqual(
      rows(0, 12).map((r) => r.n),
    );

    const cursors = ['a', 'b', 'c'];
    const byCursor = paginate({
      first: undefined as unknown,
      fetch: async (cursor) => {
        const index = cursor === undefined ? 0 : cursors.indexOf(cursor as string) + 1;
        return { items: rows(index * 2, 2), meta: {}, next: cursors[index] };
      },
    });
    expect((await byCursor.toArray({ limit: 100 })).map((r) => r.n)).toEqual(rows(0, 8).map((r) => r.n));
  });

  it('does not stop at an empty page that still carries a cursor', async () => {
    const pages: Record<string, PageContent<Row>> = {
      start: { items: rows(0, 2), meta: {}, next: 'empty-1' },
      'empty-1': { items: [], meta: {}, next: 'empty-2' },
      'empty-2': { items: [], meta: {}, next: 'last' },
      last: { items: rows(2, 1), meta: {}, next: undefined },
    };
    const walk = paginate({ first: 'start', fetch: async (cursor) => pages[cursor as string] as PageContent<Row> });
    expect((await walk.toArray({ limit: 10 })).map((r) => r.n)).toEqual([0, 1, 2]);
  });

  it('ends a repeating cursor with a PagingError instead of looping', async () => {
    let calls = 0;
    const walk = paginate({
      first: 'a',
      fetch: async (cursor) => {
        calls++;
        return { items: rows(calls, 1), meta: {}, next: cursor === 'a' ? 'b' : 'a' };
      },
    });
    await expect(walk.toArray({ limit: 1000 })).rejects.toThrow(PagingError);
    expect(calls).toBe(2);
  });

  it('ends a walk past maxPages with a PagingError', async () => {
    let calls = 0;
    const walk = paginate(
      { first: 0, fetch: async (c) => ({ items: [calls++], meta: {}, next: (c as number) + 1 }) },
      { maxPages: 50 },
    );
    const error = await walk.toArray({ limit: Number.POSITIVE_INFINITY }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PagingError);
    expect((error as PagingError).pages).toBe(50);
  });

  it('ends a run of empty pages that say "more" forever with a PagingError', async () => {
    let calls = 0;
    const endless = paginate(
      { first: 0, fetch: async (c) => ({ items: [], meta: {}, next: (c as number) + 1 }) },
      { maxEmptyPages: 25 },
    );
    const error = await endless.toArray({ limit: 10 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PagingError);
    expect((error as PagingError).pages).toBeGreaterThanOrEqual(25);
    expect((error as PagingError).pages).toBeLessThanOrEqual(26);

    // Rows between empty pages reset the count: this walk of 60 pages, 2 in 3 empty, ends well.
    const sparse = paginate(
      {
        first: 0,
        fetch: async (c) => {
          calls++;
          const n = c as number;
          return { items: n % 3 === 0 ? [n] : [], meta: {}, next: n < 59 ? n + 1 : undefined };
        },
      },
      { maxEmptyPages: 3 },
    );
    expect(await sparse.toArray({ limit: 100 })).toHaveLength(20);
    expect(calls).toBe(60);
  });

  it('prefetches page N+1 while the consumer holds page N, and not with prefetch 0', async () => {
    for (const prefetch of [1, 0]) {
      const { source, log } = offsetSource(300, 100);
      const pages = paginate(source, { prefetch }).pages();
      const iterator = pages[Symbol.asyncIterator]();
      await iterator.next();
      await new Promise((resolve) => setImmediate(resolve));
      expect(log.requested).toEqual(prefetch === 1 ? [0, 100] : [0]);
      await iterator.return?.();
    }
  });

  it('break mid-walk cancels the in-flight prefetch and leaves nothing pending', async () => {
    const { source, log } = offsetSource(10_000, 100);
    let count = 0;
    for await (const _row of paginate(source)) {
      if (++count === 150) break;
    }
    expect(log.requested).toEqual([0, 100, 200]);
    expect(log.aborted).toEqual([200]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(log.open).toBe(0);
  });

  it('an abort signal stops the walk with its reason', async () => {
    const { source } = offsetSource(10_000, 100);
    const controller = new AbortController();
    const reason = new Error('enough');
    let count = 0;
    const walk = async () => {
      for await (const _row of paginate(source, { signal: controller.signal })) {
        if (++count === 250) controller.abort(reason);
      }
    };
    await expect(walk()).rejects.toBe(reason);
    expect(count).toBeLessThan(400);
  });

  it('an abort ends the walk even while a source’s fetch that ignores the signal never settles', async () => {
    const control = new AbortController();
    const reason = Symbol('stop');
    const walk = paginate(
      {
        first: 0,
        fetch: (c): Promise<PageContent<number>> =>
          c === 0 ? Promise.resolve({ items: [0], meta: {}, next: 1 }) : new Promise(() => {}),
      },
      { signal: control.signal },
    );
    const seen: unknown[] = [];
    const done = (async () => {
      for await (const item of walk) seen.push(item);
    })();
    setTimeout(() => control.abort(reason), 20);
    await expect(done).rejects.toBe(reason);
    expect(seen).toEqual([0]);
  });

  it('a failing page rejects the walk when the consumer reaches it, without an unhandled rejection', async () => {
    const walk = paginate({
      first: 0,
      fetch: async (c) => {
        if (c === 2) throw new Error('page 2 broke');
        return { items: [c], meta: {}, next: (c as number) + 1 };
      },
    });
    const seen: unknown[] = [];
    await expect(
      (async () => {
        for await (const item of walk) {
          seen.push(item);
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
      })(),
    ).rejects.toThrow('page 2 broke');
    expect(seen).toEqual([0, 1]);
  });

  it('toArray needs a limit and stops at it', async () => {
    const { source, log } = offsetSource(1_000_000, 100);
    const walk = paginate(source);
    // @ts-expect-error: the limit is required
    await expect(walk.toArray({})).rejects.toThrow(ConfigError);
    const first = await walk.toArray({ limit: 150 });
    expect(first.map((r) => r.n)).toEqual(rows(0, 150).map((r) => r.n));
    expect(log.requested.length).toBeLessThanOrEqual(3);
  });

  it('ends, by default, a walk of 10,000 pages that never stops with a PagingError', async () => {
    let calls = 0;
    const endless = paginate({
      first: 0,
      fetch: async (c) => ({ items: [++calls], meta: {}, next: (c as number) + 1 }),
    });
    const error = await endless.toArray({ limit: Number.POSITIVE_INFINITY }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'PagingError', pages: 10_000 });
    expect(calls).toBe(10_000);
  });

  describe('a server that serves a page again', () => {
    const page = (letter: string) => Array.from({ length: 3 }, (_, i) => ({ id: `${letter}${i}` }));

    it('the same items behind ever-new cursors: stopped at the first repeat, its items not yielded', async () => {
      let calls = 0;
      const walk = paginate({
        first: 'u0',
        fetch: async () => ({ items: page('A'), meta: {}, next: `u${++calls}` }),
      });
      const seen: unknown[] = [];
      const error = await (async () => {
        for await (const item of walk) seen.push(item);
      })().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PagingError);
      expect(error).toMatchObject({
        pages: 2,
        message:
          'paging stopped: page 2 holds the same items as an earlier page (the server ignores the page or cursor asked for)',
      });
      expect(seen).toEqual(page('A'));
    });

    it('pages A, B, A, B under a page number that claims a huge total', async () => {
      const walk = paginate(
        {
          first: 1,
          fetch: async (n) => ({
            items: page((n as number) % 2 === 1 ? 'A' : 'B'),
            meta: { total: 1e12 },
            next: (n as number) + 1,
          }),
        },
        { prefetch: 0 },
      );
      const error = await walk.toArray({ limit: Number.POSITIVE_INFINITY }).catch((e: unknown) => e);
      expect(error).toMatchObject({ name: 'PagingError', pages: 3 });
    });

    it('a loop of 40 pages, longer than the pages compared one by one: stopped soon after it comes round', async () => {
      const walk = paginate(
        {
          first: 0,
          fetch: async (n) => ({ items: page(`P${(n as number) % 40}-`), meta: {}, next: (n as number) + 1 }),
        },
        { prefetch: 0 },
      );
      const error = await walk.toArray({ limit: Number.POSITIVE_INFINITY }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PagingError);
      // Brent's checkpoint moves to pages 1, 3, 7, 15, 31, 63: page 63 comes again 40 pages on.
      expect((error as PagingError).pages).toBe(103);
    });

    it('a cursor loop longer than the window: stopped soon after it comes round', async () => {
      const walk = paginate(
        {
          first: 'c0',
          fetch: async (c) => ({ items: [c], meta: {}, next: `c${(Number(String(c).slice(1)) + 1) % 30}` }),
        },
        { prefetch: 0, detectRepeats: false },
      );
      const error = await walk.toArray({ limit: Number.POSITIVE_INFINITY }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PagingError);
      expect((error as Error).message).toMatch(/^paging stopped: the server sent the cursor c\d+ twice$/);
      expect((error as PagingError).pages).toBeLessThan(2 * 30 + 64);
    });

    it('with detectRepeats: false, pages with the same records go on', async () => {
      const walk = paginate(
        {
          first: 0,
          fetch: async (n) => ({ items: page('A'), meta: {}, next: (n as number) < 4 ? (n as number) + 1 : undefined }),
        },
        { detectRepeats: false },
      );
      expect(await walk.toArray({ limit: 100 })).toHaveLength(15);
    });

    it('a cursor of megabytes is shown cut, and kept as a fingerprint only', async () => {
      const huge = `cursor-${'x'.repeat(1_000_000)}`;
      const walk = paginate({
        first: 'start',
        fetch: async (c) => ({ items: [c === 'start' ? 1 : 2], meta: {}, next: huge }),
      });
      const error = await walk.toArray({ limit: 10 }).catch((e: unknown) => e);
      expect((error as Error).message).toBe(
        `paging stopped: the server sent the cursor cursor-${'x'.repeat(73)}…(999927 more bytes) twice`,
      );
    });
  });

  it('rejects a bad prefetch option', () => {
    expect(() =>
      paginate({ first: 0, fetch: async () => ({ items: [], meta: {}, next: undefined }) }, { prefetch: -1 }),
    ).toThrow(ConfigError);
  });
});

describe('a walk that starts again', () => {
  it('each page carries the cursor that fetched it and its next, and startAt goes on from a saved one', async () => {
    const { source, log } = offsetSource(1000, 100);
    const saved: { cursor: unknown; next: unknown }[] = [];
    for await (const page of paginate(source, { prefetch: 0 }).pages()) {
      saved.push(JSON.parse(JSON.stringify({ cursor: page.cursor, next: page.next })));
      if (saved.length === 3) break;
    }
    expect(saved).toEqual([
      { cursor: 0, next: 100 },
      { cursor: 100, next: 200 },
      { cursor: 200, next: 300 },
    ]);
    log.requested.length = 0;
    const rest: number[] = [];
    for await (const row of paginate(source, { startAt: saved[2]?.next })) rest.push(row.n);
    expect(rest).toEqual(rows(300, 700).map((r) => r.n));
    expect(log.requested[0]).toBe(300);
    const again = await paginate(source, { startAt: saved[2]?.cursor }).toArray({ limit: 1 });
    expect(again).toEqual([{ n: 200 }]);
  });

  it("a source's resume checks the saved cursor and picks what to fetch", async () => {
    const { source, log } = offsetSource(50, 10);
    const resume = (cursor: unknown) => {
      if (typeof cursor !== 'number') throw new ConfigError('startAt', 'startAt must be an offset');
      return cursor + 0;
    };
    const items = await paginate({ ...source, resume }, { startAt: 40 }).toArray({ limit: Infinity });
    expect(items.map((r) => r.n)).toEqual([40, 41, 42, 43, 44, 45, 46, 47, 48, 49]);
    expect(log.requested).toEqual([40]);
    expect(() => paginate({ ...source, resume }, { startAt: 'x' })).toThrow('startAt must be an offset');
  });

  it('startAt that JSON cannot carry is a ConfigError naming startAt, before any request', () => {
    const { source, log } = offsetSource(50, 10);
    for (const bad of [new Date(0), Number.NaN, () => 1, { at: new Map() }, Symbol('s')]) {
      const error = (() => {
        try {
          paginate(source, { startAt: bad });
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).field).toBe('startAt');
    }
    expect(log.requested).toEqual([]);
  });
});
