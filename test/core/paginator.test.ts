import { describe, expect, it, vi } from 'vitest';
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
    expect(error).toMatchObject({ pages: 50, message: 'paging stopped after 50 pages (maxPages)' });
    expect(calls).toBe(50);
  });

  it('a walk of exactly maxPages pages ends well, and maxPages: 1 allows one page', async () => {
    let calls = 0;
    const three = paginate(
      {
        first: 0,
        fetch: async (c) => ({ items: [calls++], meta: {}, next: (c as number) < 2 ? (c as number) + 1 : undefined }),
      },
      { maxPages: 3 },
    );
    expect(await three.toArray({ limit: 10 })).toEqual([0, 1, 2]);
    const one = paginate(
      { first: 0, fetch: async () => ({ items: ['only'], meta: {}, next: undefined }) },
      { maxPages: 1 },
    );
    expect(await one.toArray({ limit: 10 })).toEqual(['only']);
  });

  it('next: null ends the walk as undefined does, without another fetch', async () => {
    const asked: unknown[] = [];
    const walk = paginate({
      first: 'a',
      fetch: async (c) => {
        asked.push(c);
        return { items: [c], meta: {}, next: c === 'a' ? 'b' : null };
      },
    });
    expect(await walk.toArray({ limit: 10 })).toEqual(['a', 'b']);
    expect(asked).toEqual(['a', 'b']);
  });

  it('tells the number 1 from the string "1", and compares object cursors by value', async () => {
    const asked: unknown[] = [];
    const mixed = paginate({
      first: 1,
      fetch: async (c) => {
        asked.push(c);
        return { items: [asked.length], meta: {}, next: c === 1 ? '1' : undefined };
      },
    });
    expect(await mixed.toArray({ limit: 10 })).toEqual([1, 2]);
    expect(asked).toEqual([1, '1']);

    const objects = paginate({
      first: { page: 1 },
      fetch: async (c) => ({ items: [(c as { page: number }).page], meta: {}, next: { page: 2 } }),
    });
    const error = await objects.toArray({ limit: 10 }).catch((e: unknown) => e);
    expect(error).toMatchObject({
      name: 'PagingError',
      pages: 2,
      message: 'paging stopped: the server sent the cursor {"page":2} twice',
    });
  });

  it('names a cursor that is no JSON by its text', async () => {
    const walk = paginate({
      first: 1n,
      fetch: async (c) => ({ items: [String(c)], meta: {}, next: 2n }),
    });
    const error = await walk.toArray({ limit: 10 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ pages: 2, message: 'paging stopped: the server sent the cursor 2 twice' });
    const symbol = Symbol('s');
    const symbols = paginate(
      { first: 'a', fetch: async () => ({ items: [1], meta: {}, next: symbol }) },
      { detectRepeats: false },
    );
    const again = await symbols.toArray({ limit: 10 }).catch((e: unknown) => e);
    expect(again).toMatchObject({ pages: 2, message: 'paging stopped: the server sent the cursor Symbol(s) twice' });
  });

  it('a repeated cursor: its message and how many pages were fetched', async () => {
    const walk = paginate({ first: 'a', fetch: async (c) => ({ items: [c], meta: {}, next: 'a' }) });
    const error = await walk.toArray({ limit: 10 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ pages: 1, message: 'paging stopped: the server sent the cursor a twice' });
  });

  it('ends a run of empty pages that say "more" forever with a PagingError', async () => {
    let calls = 0;
    const endless = paginate(
      { first: 0, fetch: async (c) => ({ items: [], meta: {}, next: (c as number) + 1 }) },
      { maxEmptyPages: 25 },
    );
    const error = await endless.toArray({ limit: 10 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PagingError);
    expect(error).toMatchObject({
      pages: 25,
      message: 'paging stopped: 25 empty pages in a row still said there was more (maxEmptyPages)',
    });

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

  it('toArray({ limit: 0 }) is empty and fetches nothing; a negative or NaN limit is a ConfigError', async () => {
    const { source, log } = offsetSource(1000, 100);
    const walk = paginate(source);
    expect(await walk.toArray({ limit: 0 })).toEqual([]);
    expect(log.requested).toEqual([]);
    for (const limit of [-1, Number.NaN]) {
      const error = await walk.toArray({ limit }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConfigError);
      expect(error).toMatchObject({
        field: 'limit',
        message: 'toArray needs { limit }: a number of items, or Infinity to collect all',
      });
    }
    expect((await walk.toArray({ limit: 1 })).map((r) => r.n)).toEqual([0]);
    expect((await walk.toArray({ limit: 100 })).map((r) => r.n)).toEqual(rows(0, 100).map((r) => r.n));
  });

  it('a signal aborted before the walk: rejects with its reason and fetches nothing', async () => {
    const { source, log } = offsetSource(1000, 100);
    const reason = new Error('already');
    const error = await paginate(source, { signal: AbortSignal.abort(reason) })
      .toArray({ limit: 10 })
      .catch((e: unknown) => e);
    expect(error).toBe(reason);
    expect(log.requested).toEqual([]);
  });

  it('removes its abort listener from the caller’s signal when the walk ends', async () => {
    const { source } = offsetSource(250, 100);
    const signal = new AbortController().signal;
    const add = vi.spyOn(signal, 'addEventListener');
    const remove = vi.spyOn(signal, 'removeEventListener');
    expect(await paginate(source, { signal }).toArray({ limit: 1000 })).toHaveLength(250);
    expect(add).toHaveBeenCalledTimes(1);
    expect(remove).toHaveBeenCalledTimes(1);
    expect(remove.mock.calls[0]?.slice(0, 2)).toEqual(add.mock.calls[0]?.slice(0, 2));
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

  it.each([
    [{ prefetch: 2 }, 'prefetch', 'prefetch must be 0 or 1, got 2'],
    [{ maxPages: 0 }, 'maxPages', 'maxPages must be at least 1, got 0'],
    [{ maxPages: 0.5 }, 'maxPages', 'maxPages must be at least 1, got 0.5'],
    [{ maxPages: Number.NaN }, 'maxPages', 'maxPages must be at least 1, got NaN'],
    [{ maxPages: '5' }, 'maxPages', 'maxPages must be at least 1, got 5'],
    [{ maxEmptyPages: 0 }, 'maxEmptyPages', 'maxEmptyPages must be at least 1, got 0'],
    [{ maxEmptyPages: Number.NaN }, 'maxEmptyPages', 'maxEmptyPages must be at least 1, got NaN'],
    [{ maxEmptyPages: '3' }, 'maxEmptyPages', 'maxEmptyPages must be at least 1, got 3'],
    [{ detectRepeats: 'yes' }, 'detectRepeats', 'detectRepeats must be true or false, got yes'],
  ])('rejects %j: ConfigError on %s', (options, field, message) => {
    const source = { first: 0, fetch: async () => ({ items: [], meta: {}, next: undefined }) };
    const error = (() => {
      try {
        paginate(source, options as object);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({ field, message });
  });

  it('maxEmptyPages: 1 stops at the first empty page that says more; empty last pages end well', async () => {
    const one = paginate(
      { first: 0, fetch: async (c) => ({ items: c === 0 ? ['a'] : [], meta: {}, next: (c as number) + 1 }) },
      { maxEmptyPages: 1 },
    );
    expect(await one.toArray({ limit: 10 }).catch((e: unknown) => e)).toMatchObject({ name: 'PagingError', pages: 2 });
    const trailing = paginate(
      { first: 0, fetch: async (c) => ({ items: [], meta: {}, next: c === 0 ? 1 : undefined }) },
      { maxEmptyPages: 1 },
    );
    const error = await trailing.toArray({ limit: 10 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'PagingError', pages: 1 });
    const last = paginate(
      { first: 0, fetch: async () => ({ items: [], meta: {}, next: undefined }) },
      { maxEmptyPages: 1 },
    );
    expect(await last.toArray({ limit: 10 })).toEqual([]);
  });

  describe('which pages count as the same', () => {
    const loop = (period: number) =>
      paginate(
        {
          first: 0,
          fetch: async (n) => ({ items: [`p${(n as number) % period}`], meta: {}, next: (n as number) + 1 }),
        },
        { prefetch: 0 },
      );

    it('a loop of 8 pages is caught on its ninth page; one of 9, by the checkpoint on page 24', async () => {
      expect(
        await loop(8)
          .toArray({ limit: Number.POSITIVE_INFINITY })
          .catch((e: unknown) => e),
      ).toMatchObject({
        pages: 9,
      });
      expect(
        await loop(9)
          .toArray({ limit: Number.POSITIVE_INFINITY })
          .catch((e: unknown) => e),
      ).toMatchObject({
        pages: 24,
      });
      expect(
        await loop(2)
          .toArray({ limit: Number.POSITIVE_INFINITY })
          .catch((e: unknown) => e),
      ).toMatchObject({
        pages: 3,
      });
    });

    it('pages that differ only in length, or only in their last item, are different pages', async () => {
      const shapes = [['a'], ['a', 'a'], ['a', 'b'], ['b', 'b'], ['a', 'x', 'b']];
      const walk = paginate({
        first: 0,
        fetch: async (n) => ({
          items: shapes[n as number] as string[],
          meta: {},
          next: (n as number) + 1 < shapes.length ? (n as number) + 1 : undefined,
        }),
      });
      expect(await walk.toArray({ limit: 100 })).toEqual(shapes.flat());
    });

    it('a page of the same first and last items and the same length counts as the same page', async () => {
      const shapes = [
        ['a', 'x', 'b'],
        ['a', 'y', 'b'],
      ];
      const walk = paginate({
        first: 0,
        fetch: async (n) => ({ items: shapes[n as number] as string[], meta: {}, next: (n as number) + 1 }),
      });
      const error = await walk.toArray({ limit: 100 }).catch((e: unknown) => e);
      expect(error).toMatchObject({ name: 'PagingError', pages: 2 });
    });

    it('pages whose items are no JSON are not compared', async () => {
      const walk = paginate({
        first: 0,
        fetch: async (n) => ({ items: [1n], meta: {}, next: (n as number) < 3 ? (n as number) + 1 : undefined }),
      });
      expect(await walk.toArray({ limit: 100 })).toEqual([1n, 1n, 1n, 1n]);
    });
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

  it('takes as startAt exactly what JSON gives back, 20 levels deep at most, and says what it refused', async () => {
    const cursors: unknown[] = [];
    const source = {
      first: 'start',
      fetch: async (cursor: unknown) => {
        cursors.push(cursor);
        return { items: [1], meta: {}, next: undefined };
      },
    };
    const nest = (levels: number, inner: unknown): unknown => (levels === 0 ? inner : [nest(levels - 1, inner)]);
    const bare = Object.assign(Object.create(null) as object, { page: 2 });
    const good = [
      true,
      false,
      null,
      { page: 2, after: 'x', gone: undefined },
      bare,
      [1, 'a', { b: [null] }],
      nest(20, 1),
      { a: nest(19, 'deep') },
    ];
    for (const startAt of good) await paginate(source, { startAt }).toArray({ limit: 1 });
    expect(cursors).toEqual(good);

    const refusal = (startAt: unknown) => {
      try {
        paginate(source, { startAt });
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        expect((error as ConfigError).field).toBe('startAt');
        return (error as Error).message;
      }
      return 'accepted';
    };
    class Cursor {
      page = 2;
    }
    for (const bad of [
      nest(21, 1),
      { a: nest(20, 'deep') },
      [1, Number.POSITIVE_INFINITY],
      [Number.NaN, 1],
      { page: 2, at: new Date(0) },
      { at: new Date(0), page: 2 },
      new Cursor(),
      { a: { b: () => 1 } },
    ]) {
      expect(refusal(bad)).toMatch(
        /^startAt must be a page's cursor as JSON gives it back \(text, a number or a plain object\), got /,
      );
    }
    expect(refusal([1, Number.POSITIVE_INFINITY])).toBe(
      "startAt must be a page's cursor as JSON gives it back (text, a number or a plain object), got 1,Infinity",
    );
    expect(cursors).toHaveLength(good.length);
  });
});
