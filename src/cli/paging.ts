/**
 * `taskwait issues` and `taskwait rows`: a Layer IQ task's issues or normalized rows, streamed
 * page by page as NDJSON or CSV, one page in memory at a time.
 *
 * @module
 */
import { IngestAssetInputSchema, type LayerIqTaskRef, layerIq } from '../vendors/layer-iq/index.js';
import type { PagingCommand } from './args.js';
import { type CommandIo, clientFor } from './client.js';
import { EXIT } from './exit.js';

/** The CSV columns of `issues`. */
export const ISSUE_COLUMNS = ['rowIndex', 'identifier', 'severity', 'code', 'message'] as const;

/** The CSV columns of `rows`: the row's index, the documented asset fields, its issues' codes. */
export const ROW_COLUMNS = ['rowIndex', ...Object.keys(IngestAssetInputSchema.shape), 'issues'] as const;

/** `taskwait issues` / `taskwait rows`; returns the exit code. */
export async function pagingCommand(cmd: PagingCommand, io: CommandIo): Promise<number> {
  const layer = clientFor(layerIq, cmd, io);
  // clientFor checked it against the vendor's reference schema.
  const ref = cmd.ref as LayerIqTaskRef;
  const paging = { signal: io.signal, ...(cmd.pageSize === undefined ? {} : { pageSize: cmd.pageSize }) };
  const items: AsyncIterable<object> =
    cmd.kind === 'issues' ? layer.issues(ref, { ...paging, scope: cmd.scope }) : layer.normalizedRows(ref, paging);
  const columns: readonly string[] = cmd.kind === 'issues' ? ISSUE_COLUMNS : ROW_COLUMNS;
  const line =
    cmd.format === 'csv'
      ? (item: Record<string, unknown>) =>
          csvLine(columns.map((c) => (c === 'issues' ? issueCodes(item.issues) : item[c])))
      : (item: Record<string, unknown>) => `${JSON.stringify(item)}\n`;

  if (cmd.format === 'csv') await io.out.write(csvLine(columns));
  let count = 0;
  for await (const item of items) {
    await io.out.write(line(item as Record<string, unknown>));
    count += 1;
  }
  if (!cmd.quiet) {
    const noun = cmd.kind === 'issues' ? (count === 1 ? 'issue' : 'issues') : count === 1 ? 'row' : 'rows';
    io.err.line(`${count} ${noun}`);
  }
  return EXIT.ok;
}

/** One RFC 4180 record, CRLF-terminated. */
export function csvLine(fields: readonly unknown[]): string {
  return `${fields.map(csvField).join(',')}\r\n`;
}

/** A field quoted when it holds a comma, a quote or a line break, its quotes doubled. */
export function csvField(value: unknown): string {
  const text =
    value === null || value === undefined ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** A row's inline issues as `SEVERITY code` pairs, `; `-separated (the messages are in `issues`). */
function issueCodes(issues: unknown): string {
  if (!Array.isArray(issues)) return '';
  return issues
    .map((i: { severity?: unknown; code?: unknown }) => [i?.severity, i?.code].filter(Boolean).join(' '))
    .join('; ');
}
