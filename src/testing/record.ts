/**
 * What the fake servers record of each request, with credentials redacted.
 *
 * @module
 */
import { redact } from '../index.js';

/** One request the fake received, as a test may assert on it. Carries no credential. */
export interface RecordedRequest {
  /** When it arrived (ms since the epoch, by the task's clock). */
  at: number;
  method: string;
  /** The path and query, below the origin (credential-like query values redacted). */
  path: string;
  /**
   * The request headers, names lower-cased. Credential values are `[REDACTED]`; an
   * `Authorization` header keeps its scheme (`Bearer [REDACTED]`).
   */
  headers: Record<string, string>;
  /** The status answered, or `'dropped'` when the connection was closed instead. */
  status: number | 'dropped';
  /** The fault injected into this answer, if any (`'status'`, `'rateLimit'`, `'drop'`, ...). */
  fault?: string | undefined;
}

/** What a fake needs of a request; a `Request`, a node `IncomingMessage` or a plain object. */
export interface FakeRequest {
  method: string;
  /** The absolute URL. */
  url: string | URL;
  headers: Headers | Record<string, string | readonly string[] | undefined>;
}

const REDACTED = '[REDACTED]';
const SECRET_HEADER = /auth|key|token|secret|password|passwd|cookie|session|signature|credential/i;
const SECRET_QUERY = /^(api[_-]?key|key|token|access_token|auth|signature|sig|secret|password)$/i;

/** Lower-cased header names and single values, from either header form. */
export function headerRecord(headers: FakeRequest['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  if (headers instanceof Headers) {
    headers.forEach((value, name) => {
      out[name.toLowerCase()] = value;
    });
    return out;
  }
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name.toLowerCase()] = typeof value === 'string' ? value : value.join(', ');
  }
  return out;
}

/** The headers fit to keep: every credential value replaced. */
export function redactHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name === 'authorization' || name === 'proxy-authorization') {
      const scheme = /^(\S+)\s+\S/.exec(value);
      out[name] = scheme ? `${scheme[1]} ${REDACTED}` : REDACTED;
    } else if (SECRET_HEADER.test(name)) {
      out[name] = REDACTED;
    } else {
      out[name] = redact(value);
    }
  }
  return out;
}

/** Path and query of `url`, with credential-like query values redacted. */
export function redactPath(url: URL): string {
  const copy = new URL(url);
  for (const key of [...copy.searchParams.keys()]) {
    if (SECRET_QUERY.test(key)) copy.searchParams.set(key, REDACTED);
  }
  return redact(copy.pathname + copy.search);
}

/** Whether some header carries `token`, whole or after an auth scheme. */
export function carriesToken(headers: Record<string, string>, token: string): boolean {
  return Object.values(headers).some((value) => value === token || value.endsWith(` ${token}`));
}
