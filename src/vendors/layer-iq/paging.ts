/**
 * Paging of a task's embedded collections (`issues`, `normalizedRows`). The first page comes
 * embedded in the task; how to ask for page N is not documented, so the query parameter names
 * are options, and every common pagination shape is read.
 *
 * @module
 */
import { z } from 'zod';
import {
  ConfigError,
  describeValue,
  type PagingOptions,
  requestServerUrl,
  type VendorContext,
  type VendorRequest,
} from '../../core/vendor.js';
import { type Pagination, PaginationSchema, type TaskIssue } from './schemas.js';
import { type LayerIqTaskRef, resolveApiUrl, targetOf } from './urls.js';

/** Options of a walk over one of a task's embedded collections. */
export interface CollectionOptions extends PagingOptions {
  /** Items per page to ask for. Default: the server's. */
  pageSize?: number | undefined;
  /**
   * The query parameter that asks for page N (undocumented). Default `issuesPage` for issues,
   * `normalizedRowsPage` for normalized rows.
   */
  pageParam?: string | undefined;
  /** The query parameter that sets the page size. Default `issuesPageSize` / `normalizedRowsPageSize`. */
  pageSizeParam?: string | undefined;
  /** The query parameter that carries a `nextCursor`. Default `issuesCursor` / `normalizedRowsCursor`. */
  cursorParam?: string | undefined;
}

/** Which issues a walk yields: all, per-row outcomes only (`rowIndex >= 0`) or run-level notices only. */
export type IssueScope = 'all' | 'rows' | 'run';

/** Options of `issues()`. */
export interface IssueOptions extends CollectionOptions {
  /** Default `'all'`. */
  scope?: IssueScope | undefined;
}

/** Whether an issue is a run-level notice (`rowIndex < 0`, e.g. `issues_truncated`) rather than a row's. */
export function isRunNotice(issue: Pick<TaskIssue, 'rowIndex'>): boolean {
  return issue.rowIndex < 0;
}

/** Where a page is: the task's embedded first page, page N, a `next` URL or a `nextCursor`. */
type Cursor =
  | { first: true }
  | { page: number; prev?: number | undefined; zero?: true | undefined }
  | { url: string; from: string }
  | { cursor: string };

// A saved page cursor, as JSON gave it back: one of the shapes above.
const SavedCursor = z.union([
  z.strictObject({ first: z.literal(true) }),
  z.strictObject({
    page: z.number().int().min(0),
    prev: z.number().int().optional(),
    zero: z.literal(true).optional(),
  }),
  z.strictObject({ url: z.string().min(1), from: z.string() }),
  z.strictObject({ cursor: z.string().min(1) }),
]);

/** The field of the task that holds the collection. */
export type CollectionField = 'issues' | 'normalizedRows';

/** A paginator over `field` of the task `ref` names. */
export function walkCollection<Item>(
  ctx: VendorContext<string, unknown>,
  ref: LayerIqTaskRef,
  field: CollectionField,
  item: z.ZodType<Item>,
  options: CollectionOptions = {},
  keep: (item: Item) => boolean = () => true,
) {
  const { pageSize, pageParam, pageSizeParam, cursorParam } = options;
  if (pageSize !== undefined && !(Number.isInteger(pageSize) && pageSize > 0)) {
    throw new ConfigError(
      'pageSize',
      `${ctx.vendor}: pageSize must be a whole number above 0, got ${describeValue(pageSize)}`,
    );
  }
  const params = {
    page: pageParam ?? `${field}Page`,
    size: pageSizeParam ?? `${field}PageSize`,
    cursor: cursorParam ?? `${field}Cursor`,
  };
  const collection = z.looseObject({ data: z.array(item).optional(), pagination: PaginationSchema.nullish() });
  // A later page may be the task again or, behind a `next` URL, the bare collection.
  const body = z.looseObject({ [field]: collection.optional() }).extend(collection.shape);
  const target = targetOf(ref);
  // Saved cursors given as startAt: their URL is the caller's word, not the server's.
  const resumed = new WeakSet<object>();

  const source = {
    first: { first: true } as Cursor,
    resume(cursor: unknown): Cursor {
      const parsed = SavedCursor.safeParse(cursor);
      if (!parsed.success) {
        throw new ConfigError(
          'startAt',
          `${ctx.vendor}: startAt must be a page's cursor of ${field}, as a page's cursor or next gave it, got ${describeValue(cursor)}`,
        );
      }
      const saved = { ...parsed.data } as Cursor;
      resumed.add(saved);
      return saved;
    },
    async fetch(cursor: unknown, pageSignal: AbortSignal) {
      const at = cursor as Cursor;
      const query: Record<string, string | number | undefined> = { [params.size]: pageSize };
      if ('page' in at) query[params.page] = at.page;
      if ('cursor' in at) query[params.cursor] = at.cursor;
      const model = field === 'issues' ? 'TaskIssue page' : 'NormalizedRow page';
      const request = { query, schema: body, model, signal: pageSignal };
      // A `next` link is the server's word: one the token may not follow is its fault, not the caller's.
      const response =
        'url' in at
          ? resumed.has(at)
            ? await requestSavedUrl(ctx, { ...request, url: at.url })
            : await requestServerUrl(
                ctx,
                { ...request, url: at.url },
                { model, field: 'pagination.next', url: at.from },
              )
          : await ctx.request({ ...request, ...target });
      const embedded = response.data[field] as z.output<typeof collection> | undefined;
      const page = embedded ?? (response.data as z.output<typeof collection>);
      // No collection at all, not an empty one: a walk that yielded nothing would hide why.
      if (field === 'normalizedRows' && 'first' in at && embedded === undefined && page.data === undefined) {
        throw new ConfigError('ref', noNormalizedRows(ctx.vendor, response.data));
      }
      const items = page.data ?? [];
      const meta = page.pagination ?? undefined;
      const digest = items.length > 0 && !('url' in at || 'cursor' in at) ? fingerprint(items) : undefined;
      if ('page' in at) {
        // A server that ignores the page parameter answers page 1 again: stop with a hint, not a loop.
        const echoed = meta?.page;
        const answered = typeof echoed === 'number' && echoed !== at.page ? `page ${echoed}` : undefined;
        const same = digest !== undefined && digest === at.prev ? 'the same items as the page before' : undefined;
        if (answered ?? same) {
          throw new ConfigError(
            'pageParam',
            `${ctx.vendor}: asked for ${field} page ${at.page} with ?${params.page}=${at.page}, the server answered ${answered ?? same}; if it names the parameter otherwise, pass pageParam (and pageSizeParam)`,
          );
        }
      }
      const next = nextCursor(at, meta, items.length, digest, response.url, (url) =>
        resolveApiUrl(url, ctx.baseUrl, response.url),
      );
      return { items: items.filter(keep), meta, next };
    },
  };
  // Every paging option (prefetch, maxPages, maxEmptyPages, signal, ...) goes as given: the
  // paginator reads its own and ignores the rest.
  return ctx.paginate<Item, Pagination | undefined>(source, options);
}

/** A saved `next` URL, through the same origin check as the server's: one the token may not go to is the caller's fault. */
async function requestSavedUrl<Schema extends z.ZodType>(
  ctx: VendorContext<string, unknown>,
  request: VendorRequest<Schema> & { url: string },
) {
  try {
    return await ctx.request(request);
  } catch (error) {
    if (!(error instanceof ConfigError) || error.field !== 'url') throw error;
    throw new ConfigError('startAt', `${ctx.vendor}: startAt is a URL the client does not follow: ${error.message}`);
  }
}

/** Why a task has no `normalizedRows`, with its mode and status when they are short words. */
function noNormalizedRows(vendor: string, task: Record<string, unknown>): string {
  const word = (value: unknown) => (typeof value === 'string' && /^[\w-]{1,32}$/.test(value) ? value : '?');
  return `${vendor}: the task (mode ${word(task.mode)}, status ${word(task.status)}) has no normalizedRows: only a task started with ingest(rows, { normalize: true }) has them, once it has ended`;
}

function nextCursor(
  at: Cursor,
  meta: Pagination | undefined,
  count: number,
  digest: number | undefined,
  from: string,
  resolve: (url: string) => string,
): Cursor | undefined {
  if (!meta) return undefined;
  if (typeof meta.next === 'string' && meta.next.trim() !== '') return { url: resolve(meta.next), from };
  if (typeof meta.nextCursor === 'string' && meta.nextCursor !== '') return { cursor: meta.nextCursor };
  if ('url' in at || 'cursor' in at || meta.hasMore === false) return undefined;
  // The server's own page number wins; a first page numbered 0 means pages count from 0.
  const page = typeof meta.page === 'number' ? meta.page : 'page' in at ? at.page : 1;
  const zero = 'first' in at ? meta.page === 0 : 'page' in at && at.zero === true;
  const done = zero ? page + 1 : page;
  const size = typeof meta.pageSize === 'number' && meta.pageSize > 0 ? meta.pageSize : count;
  const more =
    meta.hasMore === true ||
    (typeof meta.totalPages === 'number'
      ? done < meta.totalPages
      : typeof meta.total === 'number' && count > 0 && done * size < meta.total);
  if (!more) return undefined;
  return zero ? { page: page + 1, prev: digest, zero: true } : { page: page + 1, prev: digest };
}

/** FNV-1a of the items' JSON: cheap, and enough to tell a page from the one before it. */
function fingerprint(items: readonly unknown[]): number {
  const text = JSON.stringify(items);
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
