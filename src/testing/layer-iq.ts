/**
 * Layer IQ's `POST /assets/ingest` for the fake servers: each accepted batch becomes a fake task
 * (202 + `Location`), whose issues and normalized rows come from the rows sent, page by page.
 *
 * @module
 */
import { type IngestAssetInput, IngestRequestSchema, type TaskIssue } from '../vendors/layer-iq/index.js';
import type { FakeRoute } from './backend.js';
import { layerIqFake } from './fakes/layer-iq.js';
import { errorAnswer } from './faults.js';
import { joinUrl } from './paths.js';
import { type FakeTaskOptions, fakeTask } from './task.js';

/** Options of {@link layerIqIngest}. */
export interface LayerIqIngestOptions {
  /**
   * The life of every task the route creates (queued/running, faults, ...). Its outcome defaults
   * to `partial` when a row has an `ERROR` issue, else `succeeded`.
   */
  task?: Omit<FakeTaskOptions<'task'>, 'id' | 'kind' | 'totalItems' | 'failedItems' | 'payload'> | undefined;
  /** Items per page of `issues` and `normalizedRows`, unless the client asks for another size. Default 100. */
  pageSize?: number | undefined;
  /** The issues a row raises. Default: the checks of {@link checkAsset}. */
  check?: ((row: IngestAssetInput, rowIndex: number) => TaskIssue[]) | undefined;
}

/**
 * A fake `POST /assets/ingest`: validates the `IngestRequest`, answers 202 with `{ taskId }` and a
 * `Location`, and serves the new task at `/tasks/:taskId`. When it has ended, the task embeds its
 * `issues` and (with `normalize: true`) `normalizedRows`, paged by the query parameters
 * `issuesPage`/`issuesPageSize` and `normalizedRowsPage`/`normalizedRowsPageSize`.
 *
 * @example
 * ```ts
 * const server = await startFakeServer({ routes: [layerIqIngest({ task: { runningMs: 500 } })] });
 * const layer = createClient(layerIq, { baseUrl: server.url, token: 'liq_test_demo' });
 * const [ref] = await layer.ingest(rows, { normalize: true });
 * await layer.wait(ref);
 * for await (const issue of layer.issues(ref)) console.log(issue.rowIndex, issue.message);
 * ```
 */
export function layerIqIngest(options: LayerIqIngestOptions = {}): FakeRoute {
  const pageSize = options.pageSize ?? 100;
  const check = options.check ?? checkAsset;
  const taskPath = layerIqFake.kinds.task.path;
  return {
    fake: layerIqFake,
    method: 'POST',
    path: '/assets/ingest',
    respond(request, context) {
      const parsed = IngestRequestSchema.safeParse(request.body);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
        return errorAnswer(layerIqFake, 400, `Invalid IngestRequest: ${where}${issue?.message ?? 'bad body'}`);
      }
      const { assets, normalize } = parsed.data;
      const issues = assets.flatMap((row, i) => check(row, i));
      const failed = new Set(issues.filter((i) => i.severity === 'ERROR').map((i) => i.rowIndex)).size;
      const rows = normalize ? assets.map((row, i) => normalizeRow(row, i, issues)) : undefined;
      const task = fakeTask(layerIqFake, {
        outcome: failed > 0 ? 'partial' : 'succeeded',
        ...options.task,
        totalItems: assets.length,
        failedItems: failed,
        payload(body, view, url) {
          const ended = view.completedAt !== undefined;
          const task = body as Record<string, unknown>;
          task.issues = page(ended ? issues : [], url, 'issues', pageSize);
          if (rows) task.normalizedRows = page(ended ? rows : [], url, 'normalizedRows', pageSize);
          return task;
        },
      });
      context.add(task);
      const location = joinUrl(context.baseUrl, taskPath.replace(':taskId', encodeURIComponent(task.id)));
      return {
        status: 202,
        headers: { 'content-type': 'application/json', location },
        body: JSON.stringify({ taskId: task.id }),
      };
    },
  };
}

/**
 * The default row checks: an `ERROR` for a missing identifier, a quantity below 1, a year out of
 * range or a country code that is not two letters; a `WARNING` for a missing serial number.
 */
export function checkAsset(row: IngestAssetInput, rowIndex: number): TaskIssue[] {
  const issues: TaskIssue[] = [];
  const identifier = row.identifier?.trim() || null;
  const add = (severity: TaskIssue['severity'], code: string, message: string) =>
    issues.push({ code, message, rowIndex, severity, identifier });
  if (!identifier) add('ERROR', 'missing_identifier', 'identifier is required');
  if (row.quantity !== undefined && row.quantity < 1)
    add('ERROR', 'invalid_quantity', `quantity ${row.quantity} is below 1`);
  if (row.year !== undefined && (row.year < 1980 || row.year > new Date().getUTCFullYear() + 1)) {
    add('ERROR', 'invalid_year', `year ${row.year} is out of range`);
  }
  if (row.countryCode !== undefined && !/^[a-z]{2}$/i.test(row.countryCode.trim())) {
    add('ERROR', 'invalid_country_code', `countryCode ${JSON.stringify(row.countryCode)} is not ISO 3166-1 alpha-2`);
  }
  if (!row.serialNumber)
    add('WARNING', 'missing_serial_number', 'no serialNumber: the asset cannot be tracked by serial');
  return issues;
}

/** A row as a normalization would clean it: trimmed, manufacturer and country code in canonical case. */
function normalizeRow(row: IngestAssetInput, rowIndex: number, issues: readonly TaskIssue[]) {
  const clean: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) clean[key] = typeof value === 'string' ? value.trim() : value;
  if (typeof clean.manufacturer === 'string') clean.manufacturer = titleCase(clean.manufacturer);
  if (typeof clean.countryCode === 'string') clean.countryCode = clean.countryCode.toUpperCase();
  const own = issues.filter((i) => i.rowIndex === rowIndex).map(({ rowIndex: _, ...issue }) => issue);
  return { ...clean, rowIndex, issues: own };
}

function titleCase(text: string): string {
  return text.length <= 3 ? text.toUpperCase() : text.toLowerCase().replace(/\b\p{L}/gu, (c) => c.toUpperCase());
}

function page(items: readonly unknown[], url: URL, field: string, defaultSize: number) {
  const number = positive(url.searchParams.get(`${field}Page`)) ?? 1;
  const size = positive(url.searchParams.get(`${field}PageSize`)) ?? defaultSize;
  const total = items.length;
  return {
    data: items.slice((number - 1) * size, number * size),
    pagination: {
      page: number,
      pageSize: size,
      total,
      totalPages: Math.ceil(total / size),
      hasMore: number * size < total,
    },
  };
}

function positive(value: string | null): number | undefined {
  const n = Number(value);
  return value !== null && Number.isInteger(n) && n > 0 ? n : undefined;
}
