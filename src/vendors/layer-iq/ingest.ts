/**
 * Bulk import: rows from an array or any (async) iterable, POSTed to `/assets/ingest` in batches
 * of at most 10,000, one task per batch. Holds one batch at a time.
 *
 * @module
 */
import type { z } from 'zod';
import { abortable, ConfigError, describeValue, type VendorContext } from '../../core/vendor.js';
import { type IngestAssetInputSchema, type NormalizedRow, type SyncMode, TaskAcceptedSchema } from './schemas.js';
import { type AbsoluteTaskUrl, resolveApiUrl } from './urls.js';

/** The most rows one `/assets/ingest` request takes. */
export const MAX_INGEST_BATCH = 10_000;

/** A row to import: an asset, or a row a NORMALIZE task returned (its `issues` and `rowIndex` are not sent). */
export type IngestRow = z.input<typeof IngestAssetInputSchema> | NormalizedRow;

/** Options of `ingest()` and `ingestBatches()`: the `IngestRequest` fields, and the batching. */
export interface IngestOptions {
  /** Clean and enrich rows before upserting. */
  normalize?: boolean | undefined;
  /** Revive archived assets whose identifier matches. Server default false. */
  reviveArchived?: boolean | undefined;
  /**
   * `DELTA` upserts only the rows sent; `FULL` may soft-retire every asset absent from the batch,
   * so with `FULL` more rows than one batch holds are refused before anything is sent.
   */
  syncMode?: SyncMode | undefined;
  /** Rows per request, 1 to 10000. Default 10000. */
  batchSize?: number | undefined;
  /** Stops the import between and during requests. */
  signal?: AbortSignal | undefined;
}

/** One accepted batch. */
export interface IngestBatch {
  /** 0 for the first batch. */
  index: number;
  /** Rows in the batch. */
  rows: number;
  /** The id from the 202 body. */
  taskId: string;
  /** The 202's `Location`, resolved to an absolute URL; absent when the server sent none. */
  location?: AbsoluteTaskUrl | undefined;
  /**
   * What to pass to `wait()`: the `Location` URL, or the task id when there is no `Location` on
   * the client's origin.
   */
  ref: string;
}

/** POSTs `rows` batch by batch, yielding each accepted batch as soon as the server accepts it. */
export async function* ingestBatches(
  ctx: VendorContext<string, unknown>,
  rows: Iterable<IngestRow> | AsyncIterable<IngestRow>,
  options: IngestOptions = {},
): AsyncGenerator<IngestBatch, void, undefined> {
  const { batchSize = MAX_INGEST_BATCH, signal, normalize, reviveArchived, syncMode } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_INGEST_BATCH) {
    throw new ConfigError(
      'batchSize',
      `${ctx.vendor}: batchSize must be a whole number from 1 to ${MAX_INGEST_BATCH}, got ${describeValue(batchSize)}`,
    );
  }
  const settings = {
    ...(normalize === undefined ? {} : { normalize }),
    ...(reviveArchived === undefined ? {} : { reviveArchived }),
    ...(syncMode === undefined ? {} : { syncMode }),
  };
  const base = new URL(ctx.baseUrl);
  let index = 0;

  const send = async (assets: unknown[]): Promise<IngestBatch> => {
    const response = await ctx.request({
      method: 'POST',
      path: ['assets', 'ingest'],
      body: { assets, ...settings },
      schema: TaskAcceptedSchema,
      model: 'TaskAccepted',
      ...(signal === undefined ? {} : { signal }),
    });
    const header = response.headers.get('location');
    const location = header ? resolveApiUrl(header, ctx.baseUrl) : undefined;
    const ref = location && new URL(location).origin === base.origin ? location : response.data.taskId;
    return {
      index: index++,
      rows: assets.length,
      taskId: response.data.taskId,
      ...(location ? { location } : {}),
      ref,
    };
  };

  let batch: unknown[] = [];
  for await (const row of signal ? untilAborted(rows, signal) : rows) {
    signal?.throwIfAborted();
    if (batch.length === batchSize) {
      if (syncMode === 'FULL') {
        throw new ConfigError(
          'syncMode',
          `${ctx.vendor}: syncMode FULL would retire the assets of every batch but the last; send at most ${batchSize} rows, or use DELTA`,
        );
      }
      const full = batch;
      batch = [];
      yield await send(full);
    }
    batch.push(toAsset(row));
  }
  if (batch.length > 0) yield await send(batch);
}

/**
 * The caller's rows, each wait for the next bounded by `signal`: an abort ends the import even while
 * the caller's iterable is stuck (a stream that stalled).
 */
async function* untilAborted<T>(rows: Iterable<T> | AsyncIterable<T>, signal: AbortSignal): AsyncGenerator<T> {
  const iterator =
    Symbol.asyncIterator in Object(rows)
      ? (rows as AsyncIterable<T>)[Symbol.asyncIterator]()
      : (rows as Iterable<T>)[Symbol.iterator]();
  let done = false;
  try {
    for (;;) {
      const step = await abortable(Promise.resolve(iterator.next()), signal);
      if (step.done) {
        done = true;
        return;
      }
      // As `for await` does, a row that is a promise is awaited.
      yield await abortable(Promise.resolve(step.value), signal);
    }
  } finally {
    // Not awaited: a stuck iterable may never answer its return() either.
    if (!done) Promise.resolve(iterator.return?.()).catch(() => {});
  }
}

function toAsset(row: IngestRow): unknown {
  if (row === null || typeof row !== 'object' || !('issues' in row || 'rowIndex' in row)) return row;
  const { issues: _issues, rowIndex: _rowIndex, ...asset } = row as NormalizedRow;
  return asset;
}
