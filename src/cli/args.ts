/**
 * The command line: `util.parseArgs`, durations and task references (the help texts are in help.ts).
 *
 * @module
 */
import { parseArgs } from 'node:util';
import { UsageError } from './exit.js';
import { type CliVendor, findVendor, LAYER_IQ, VENDORS } from './vendors.js';

/** What the command line asks for. */
export type Command =
  | { kind: 'help'; command?: CommandName | undefined }
  | { kind: 'version' }
  | WaitCommand
  | GetCommand
  | PagingCommand;

/** The commands. */
export type CommandName = 'wait' | 'get' | 'issues' | 'rows';
const isCommandName = (name: string | undefined): name is CommandName =>
  name === 'wait' || name === 'get' || name === 'issues' || name === 'rows';

interface Common {
  vendor: CliVendor;
  /** The task reference: a string (id or URL) or a parsed JSON object. */
  ref: unknown;
  baseUrl: string | undefined;
  quiet: boolean;
  /** `--verbose`: the library's log records (requests, retries, polls) on stderr. */
  verbose: boolean;
}

export interface WaitCommand extends Common {
  kind: 'wait';
  /** Every task ref on the command line, in order (`ref` is the first). */
  refs: unknown[];
  /** Where more refs come from, one per line: a file, or `-` for stdin. */
  refsFrom: string | undefined;
  /** Stop at the first task to end. */
  any: boolean;
  json: boolean;
  /** `Infinity` for `--timeout none`. */
  timeoutMs: number;
  minDelayMs: number | undefined;
  maxDelayMs: number | undefined;
}

export interface GetCommand extends Common {
  kind: 'get';
  json: boolean;
}

export interface PagingCommand extends Common {
  kind: 'issues' | 'rows';
  format: 'ndjson' | 'csv';
  scope: 'all' | 'rows' | 'run';
  pageSize: number | undefined;
}

/** The default `--timeout`: the library's own default wait. */
export const DEFAULT_TIMEOUT_MS = 3_600_000;
const MAX_TIMER_MS = 2 ** 31 - 1;

const OPTIONS = {
  'base-url': { type: 'string' },
  timeout: { type: 'string' },
  'min-delay': { type: 'string' },
  'max-delay': { type: 'string' },
  json: { type: 'boolean' },
  format: { type: 'string' },
  scope: { type: 'string' },
  'page-size': { type: 'string' },
  refs: { type: 'string' },
  any: { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
  verbose: { type: 'boolean', short: 'v' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'V' },
} as const;

type OptionName = keyof typeof OPTIONS;

/** The options each command takes (besides --quiet, --verbose, --help and --version). */
const ALLOWED: Record<CommandName, readonly OptionName[]> = {
  wait: ['base-url', 'timeout', 'min-delay', 'max-delay', 'json', 'refs', 'any'],
  get: ['base-url', 'json'],
  issues: ['base-url', 'format', 'scope', 'page-size'],
  rows: ['base-url', 'format', 'page-size'],
};

/** Reads the command line (without `node` and the script). Throws {@link UsageError}. */
export function parseCommand(argv: readonly string[]): Command {
  const beforeDashes = argv.slice(0, argv.includes('--') ? argv.indexOf('--') : argv.length);
  if (beforeDashes.some((a) => a === '--help' || a === '-h')) {
    // `taskwait wait --help`: that command's help.
    return isCommandName(beforeDashes[0]) ? { kind: 'help', command: beforeDashes[0] } : { kind: 'help' };
  }
  if (beforeDashes.some((a) => a === '--version' || a === '-V')) return { kind: 'version' };

  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true; strict: true }>>;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(describeParseError(error));
  }
  const { values, positionals } = parsed;
  const [name, ...rest] = positionals;
  if (name === undefined) throw new UsageError('no command given');
  if (!isCommandName(name)) {
    throw new UsageError(`unknown command "${clip(name)}": use wait, get, issues or rows`);
  }
  for (const option of Object.keys(values) as OptionName[]) {
    if (option === 'quiet' || option === 'verbose' || ALLOWED[name].includes(option)) continue;
    const takers = (Object.keys(ALLOWED) as (keyof typeof ALLOWED)[]).filter((c) => ALLOWED[c].includes(option));
    throw new UsageError(`--${option} is not an option of ${name} (only of ${takers.join(' and ')})`);
  }
  const baseUrl = values['base-url'] === undefined ? undefined : parseBaseUrl(values['base-url']);
  const quiet = values.quiet === true;
  const verbose = values.verbose === true;

  if (name === 'issues' || name === 'rows') {
    const [refText, ...extra] = rest;
    if (refText === undefined) throw new UsageError(`${name} needs a Layer IQ task ref`);
    if (extra.length > 0) throw new UsageError(`${name} takes one task ref, got also "${clip(extra.join(' '))}"`);
    return {
      kind: name,
      vendor: LAYER_IQ,
      ref: parseRef(refText),
      baseUrl,
      quiet,
      verbose,
      format: oneOf('--format', values.format ?? 'ndjson', ['ndjson', 'csv'] as const),
      scope: oneOf('--scope', values.scope ?? 'all', ['all', 'rows', 'run'] as const),
      pageSize: values['page-size'] === undefined ? undefined : parseCount('--page-size', values['page-size']),
    };
  }

  const [vendorName, ...refTexts] = rest;
  if (vendorName === undefined)
    throw new UsageError(`${name} needs a vendor: ${VENDORS.map((v) => v.name).join(', ')}`);
  const vendor = findVendor(vendorName);
  if (!vendor) {
    throw new UsageError(`unknown vendor "${clip(vendorName)}": use ${VENDORS.map((v) => v.name).join(', ')}`);
  }
  if (name === 'get') {
    const [refText, ...extra] = refTexts;
    if (refText === undefined) throw new UsageError('get needs a task ref after the vendor (see --help)');
    if (extra.length > 0) {
      throw new UsageError(`get takes one task ref, got also "${clip(extra.join(' '))}" (quote a JSON ref)`);
    }
    return { kind: 'get', vendor, ref: parseRef(refText), baseUrl, quiet, verbose, json: values.json === true };
  }
  // "-" among the refs reads more from stdin, as --refs - does.
  const stdin = refTexts.includes('-');
  if (stdin && values.refs !== undefined && values.refs !== '-') {
    throw new UsageError('read refs from stdin ("-") or from --refs FILE, not both');
  }
  const refsFrom = values.refs === undefined ? (stdin ? '-' : undefined) : values.refs;
  if (refsFrom !== undefined && refsFrom.trim() === '')
    throw new UsageError('--refs needs a file name, or - for stdin');
  const refs = refTexts.filter((text) => text !== '-').map(parseRef);
  if (refs.length === 0 && refsFrom === undefined) {
    throw new UsageError('wait needs a task ref after the vendor, or --refs FILE (see --help)');
  }

  const timeout = values.timeout?.trim().toLowerCase();
  const timeoutMs =
    timeout === undefined
      ? DEFAULT_TIMEOUT_MS
      : timeout === 'none'
        ? Number.POSITIVE_INFINITY
        : parseDuration('--timeout', timeout, { max: MAX_TIMER_MS });
  const minDelayMs =
    values['min-delay'] === undefined
      ? undefined
      : parseDuration('--min-delay', values['min-delay'], { max: MAX_TIMER_MS });
  const maxDelayMs =
    values['max-delay'] === undefined
      ? undefined
      : parseDuration('--max-delay', values['max-delay'], { max: MAX_TIMER_MS });
  if (minDelayMs !== undefined && maxDelayMs !== undefined && maxDelayMs < minDelayMs) {
    throw new UsageError(`--max-delay (${values['max-delay']}) is shorter than --min-delay (${values['min-delay']})`);
  }
  return {
    kind: 'wait',
    vendor,
    ref: refs[0],
    refs,
    refsFrom,
    any: values.any === true,
    baseUrl,
    quiet,
    verbose,
    json: values.json === true,
    timeoutMs,
    minDelayMs,
    maxDelayMs,
  };
}

/**
 * Reads task refs, one per line: blank lines and lines starting with `#` are skipped. Throws
 * {@link UsageError} naming the line of a bad one.
 */
export function parseRefLines(text: string, source: string): unknown[] {
  const refs: unknown[] = [];
  const lines = text.split(/\r?\n/);
  for (const [i, line] of lines.entries()) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    try {
      refs.push(parseRef(trimmed));
    } catch (error) {
      throw new UsageError(`${source}, line ${i + 1}: ${(error as Error).message}`);
    }
  }
  return refs;
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * Reads a duration in ms: `500ms`, `10s`, `10m`, `1h`, combined (`1m30s`), or a plain number of
 * seconds (`90`, `0.5`). Throws {@link UsageError} naming `flag`.
 */
export function parseDuration(
  flag: string,
  text: string,
  bounds: { min?: number | undefined; max?: number | undefined } = {},
): number {
  const input = text.trim().toLowerCase();
  let ms: number | undefined;
  if (/^\d+(?:\.\d+)?$/.test(input)) {
    ms = Number(input) * 1000;
  } else if (/^(?:\d+(?:\.\d+)?(?:ms|h|m|s))+$/.test(input)) {
    ms = 0;
    for (const [, amount, unit] of input.matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)) {
      ms += Number(amount) * (UNITS[unit as string] as number);
    }
  }
  if (ms === undefined || !Number.isFinite(ms)) {
    throw new UsageError(
      `${flag} takes a duration such as 500ms, 10s, 10m or 1h (a plain number is seconds), got "${clip(text)}"`,
    );
  }
  const rounded = Math.round(ms);
  const min = bounds.min ?? 1;
  if (rounded < min) throw new UsageError(`${flag} must be at least ${min}ms, got "${clip(text)}"`);
  if (bounds.max !== undefined && rounded > bounds.max) {
    throw new UsageError(`${flag} must be at most ${Math.floor(bounds.max / 86_400_000)} days, got "${clip(text)}"`);
  }
  return rounded;
}

/**
 * Reads a task reference: a JSON object when it starts with `{`, else the text as given (an id
 * or an absolute task URL). The vendor checks it further.
 */
export function parseRef(text: string): unknown {
  const input = text.trim();
  if (input === '') throw new UsageError('the task ref is empty');
  if (!input.startsWith('{')) return input;
  let value: unknown;
  try {
    value = JSON.parse(input);
  } catch (error) {
    throw new UsageError(`the task ref starts with "{" but is not JSON (${(error as Error).message})`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new UsageError('the task ref must be a JSON object');
  }
  return value;
}

function parseBaseUrl(text: string): string {
  let url: URL | undefined;
  try {
    url = new URL(text.trim());
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new UsageError(`--base-url must be an absolute http(s) URL, got "${clip(text)}"`);
  }
  return url.href;
}

function parseCount(flag: string, text: string): number {
  const value = Number(text.trim());
  if (!/^\d+$/.test(text.trim()) || value < 1 || value > 1_000_000) {
    throw new UsageError(`${flag} takes a whole number from 1 to 1000000, got "${clip(text)}"`);
  }
  return value;
}

function oneOf<const T extends readonly string[]>(flag: string, value: string, allowed: T): T[number] {
  const wanted = value.trim().toLowerCase();
  if (!allowed.includes(wanted)) throw new UsageError(`${flag} takes ${allowed.join(' or ')}, got "${clip(value)}"`);
  return wanted as T[number];
}

function describeParseError(error: unknown): string {
  const code = (error as { code?: unknown })?.code;
  const message = String((error as Error)?.message ?? error);
  const option = /option '([^']+)'/i.exec(message)?.[1]?.split(' ')[0];
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && option) {
    if (/^--(token|api-key|key|auth)/.test(option)) {
      return `taskwait takes no ${option}: it reads the token from an environment variable (see --help), never from a flag that lands in shell history`;
    }
    return `unknown option ${option}`;
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && option) {
    return /missing/.test(message) ? `${option} needs a value` : `${option} takes no value`;
  }
  // The first sentence only: parseArgs goes on about "--" and positionals.
  return message.split('. ')[0] ?? message;
}

/** A piece of the user's input, cut short, for a message. */
function clip(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
