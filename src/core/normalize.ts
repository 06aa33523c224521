/**
 * The normalizer: a validated vendor payload in, a canonical {@link TaskSnapshot} out.
 *
 * @module
 */

import { isTaskState, isTerminal, type TaskError, type TaskSnapshot, type TaskState } from './lifecycle.js';
import { clip, describeValue } from './redact.js';
import type { DateInput, SnapshotFields, TaskKind, Vendor } from './vendor.js';

/** Looks raw statuses up in a vendor's table; unknown strings become `unknown`. */
export class StatusTable {
  readonly #states: Map<string, TaskState>;
  readonly #ignoreCase: boolean;

  constructor(vendor: Pick<Vendor, 'states' | 'statusMatch'>) {
    this.#ignoreCase = vendor.statusMatch === 'ignoreCase';
    // A Map, so statuses like "__proto__" or "constructor" can't reach Object.prototype.
    this.#states = new Map(
      Object.entries(vendor.states as Record<string, TaskState>).map(([raw, state]) => [this.#key(raw), state]),
    );
  }

  /** The canonical state of `raw`; `unknown` for a status this version does not know. */
  stateOf(raw: string | null | undefined): TaskState {
    if (typeof raw !== 'string') return 'unknown';
    return this.#states.get(this.#key(raw)) ?? 'unknown';
  }

  #key(raw: string): string {
    // Stryker disable next-line MethodExpression: keys and look-ups fold alike, so upper case matches the same statuses
    return this.#ignoreCase ? raw.trim().toLowerCase() : raw;
  }
}

/** Builds the snapshot of one validated payload. */
export function normalize(
  vendorName: string,
  kindName: string,
  kind: TaskKind,
  table: StatusTable,
  raw: unknown,
): TaskSnapshot {
  const rawStatus = kind.status(raw);
  const fields: SnapshotFields = kind.snapshot(raw);
  const state = isTaskState(fields.state) ? fields.state : table.stateOf(rawStatus);
  const snapshot: TaskSnapshot = {
    vendor: vendorName,
    kind: kindName,
    id: clip(describeValue(fields.id)),
    state,
    terminal: isTerminal(state),
    // The text fields are bounded (the whole payload stays in `raw`): they reach messages and logs.
    rawStatus: typeof rawStatus === 'string' ? clip(rawStatus) : '',
    raw,
  };
  const progress = toProgress(fields.progress);
  if (progress !== undefined) snapshot.progress = progress;
  if (typeof fields.message === 'string' && fields.message !== '') snapshot.message = clip(fields.message);
  const error = toError(fields.error);
  if (error) snapshot.error = error;
  for (const key of ['createdAt', 'updatedAt', 'completedAt', 'eta'] as const) {
    const iso = toIso(fields[key]);
    if (iso !== undefined) snapshot[key] = iso;
  }
  return snapshot;
}

/** Applies what a task kind's `enrich` returned: a non-empty error or message replaces the snapshot's. */
export function applyEnrichment(
  snapshot: TaskSnapshot,
  fields: Pick<SnapshotFields, 'error' | 'message'> | undefined,
): void {
  if (!fields) return;
  if (typeof fields.message === 'string' && fields.message !== '') snapshot.message = fields.message;
  const error = toError(fields.error);
  if (error) snapshot.error = error;
}

function toProgress(value: unknown): number | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value)) return undefined;
  return Math.min(1, Math.max(0, value));
}

function toError(value: TaskError | string | null | undefined): TaskError | undefined {
  if (typeof value === 'string') return value.trim() === '' ? undefined : { message: clip(value) };
  if (value && typeof value.message === 'string' && value.message.trim() !== '') {
    const message = clip(value.message);
    return value.code === undefined ? { message } : { message, code: clip(describeValue(value.code), 256) };
  }
  return undefined;
}

const MAX_DATE_CHARS = 64;

/**
 * A vendor date as ISO 8601, or undefined. Accepts epoch milliseconds, `Date`, RFC 3339 and the
 * looser forms vendors publish (`"2019-02-12 19:34:49"`, no zone: read as UTC).
 */
export function toIso(value: DateInput): string | undefined {
  if (value === null || value === undefined) return undefined;
  let ms: number;
  if (value instanceof Date) ms = value.getTime();
  else if (typeof value === 'number') ms = value;
  else {
    // Blank text parses as NaN below.
    const text = value.trim();
    // No date is longer; a longer string is not worth a regular expression.
    if (text.length > MAX_DATE_CHARS) return undefined;
    let normalized = text.replace(/^(\d{4}-\d{2}-\d{2})[ t]/i, '$1T');
    // No zone at all: the vendors that do this mean UTC.
    if (/T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/i.test(normalized)) normalized += 'Z';
    // "+00" style offsets are not understood by Date.parse everywhere.
    normalized = normalized.replace(/([+-]\d{2})$/, '$1:00');
    ms = Date.parse(normalized);
  }
  // NaN, and a number past the range of dates, give an invalid Date.
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}
