/**
 * The reason a SoftwareOne task failed, read from its logs: the Task object carries none.
 *
 * @module
 */
import type { EnrichContext, SnapshotFields } from '../../core/vendor.js';
import { type TaskLog, TaskLogListSchema } from './schemas.js';

/** Log records per page: the platform's maximum. */
const PAGE_SIZE = 100;
/** The most log pages one lookup reads. */
export const MAX_LOG_PAGES = 10;
/** The longest reason kept, in characters, after its placeholders are filled. */
const MAX_REASON = 2000;

/**
 * The message of the task's last `Error` record, its `{{Param}}` placeholders filled from the
 * record's `parameters`, or undefined when there is none or the logs can't be read (the docs give
 * log access to `ops` and `svc` tokens only). Only an abort of `context.signal` is thrown.
 *
 * Logs come oldest first, so the last record is on the last page: this reads the first page for
 * the total, then pages from the end until one holds an `Error` record, at most
 * {@link MAX_LOG_PAGES} pages in all.
 */
export async function failureFromLogs(
  taskId: string,
  context: EnrichContext,
): Promise<Pick<SnapshotFields, 'error'> | undefined> {
  const path = ['v1', 'system', 'tasks', taskId, 'logs'];
  const page = async (offset: number) => {
    const { data } = await context.request({
      path,
      query: { limit: PAGE_SIZE, offset },
      schema: TaskLogListSchema,
      model: 'TaskLog list',
      signal: context.signal,
    });
    return data;
  };
  try {
    const first = await page(0);
    let found = lastError(first.data);
    const total = first.$meta?.pagination?.total;
    if (typeof total === 'number' && total > first.data.length) {
      const pages = Math.min(Math.ceil(total / PAGE_SIZE), MAX_LOG_PAGES);
      // From the last page back; the first one, already read, answers if none of these do.
      for (let n = Math.ceil(total / PAGE_SIZE) - 1, read = 1; n >= 1 && read < pages; n--, read++) {
        const record = lastError((await page(n * PAGE_SIZE)).data);
        if (record) {
          found = record;
          break;
        }
      }
    }
    const message = found ? fill(found) : '';
    return message ? { error: message } : undefined;
  } catch (error) {
    if (context.signal?.aborted) throw error;
    return undefined;
  }
}

// The record written last: by timestamp where both have one, else the later in the list.
function lastError(records: readonly TaskLog[]): TaskLog | undefined {
  let last: TaskLog | undefined;
  for (const record of records) {
    if (record.severity?.trim().toLowerCase() !== 'error' || !record.message?.trim()) continue;
    const [at, lastAt] = [Date.parse(record.timestamp ?? ''), Date.parse(last?.timestamp ?? '')];
    if (!last || !(at < lastAt)) last = record;
  }
  return last;
}

// `{{BuyerId}}` becomes the record's `parameters.BuyerId`; a placeholder without a value stays.
function fill(record: TaskLog): string {
  const parameters = record.parameters ?? {};
  const text = (record.message ?? '').replace(/\{\{\s*([\w.-]{1,100})\s*\}\}/g, (whole, name: string) => {
    const value = Object.hasOwn(parameters, name) ? parameters[name] : undefined;
    return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : whole;
  });
  return text.length > MAX_REASON ? `${text.slice(0, MAX_REASON - 1)}…` : text.trim();
}
