/**
 * `--verbose` (and `TASKWAIT_LOG`): the library's log records as one line each on stderr, never
 * on stdout, where the data goes.
 *
 * @module
 */
import type { LogFields, Logger } from '../index.js';
import type { MessageOut } from './output.js';

/** A logger that writes each record as `taskwait <level>: <message> key=value ...` on stderr. */
export function stderrLogger(err: MessageOut, before: () => void = () => {}): Logger {
  const at = (level: string) => (message: string, fields: LogFields) => {
    before();
    err.line(formatRecord(level, message, fields));
  };
  return { error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug') };
}

/** One record as one line: the level, the message without its `taskwait: ` prefix, then logfmt fields. Pure. */
export function formatRecord(level: string, message: string, fields: LogFields): string {
  const text = message.replace(/^taskwait: /, '');
  const pairs = Object.entries(fields)
    .filter(([key, value]) => key !== 'event' && value !== undefined)
    .map(([key, value]) => `${key}=${formatValue(value)}`);
  return [`taskwait ${level}: ${text}`, ...pairs].join(' ');
}

function formatValue(value: unknown): string {
  if (typeof value === 'string') return /^[\w./:@+-]+$/.test(value) ? value : JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value) ?? String(value);
}
