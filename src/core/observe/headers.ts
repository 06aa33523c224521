/**
 * Response headers fit to show (on an `HttpError`, to hooks) and the request id a support team
 * asks for.
 *
 * @module
 */

/** Where a request id is looked for when the vendor names no header of its own. */
export const REQUEST_ID_HEADERS: readonly string[] = Object.freeze(['x-request-id', 'request-id', 'x-amzn-requestid']);

// Cookies, credentials and anything named like one: left out whole, not just masked.
const SENSITIVE = /cookie|auth|token|secret|session|signature|password|passwd|credential|key/i;
const MAX_HEADERS = 64;
const MAX_NAME = 100;
const MAX_VALUE = 300;
const MAX_REQUEST_ID = 200;

/**
 * The headers of a response as a frozen plain object, safe to log: cookies and auth headers (and
 * any header named like a credential) left out, every name and value passed through `redact` and
 * cut, at most 64 headers.
 */
export function safeHeaders(headers: Headers, redact: (text: string) => string): Readonly<Record<string, string>> {
  const out: Record<string, string> = {};
  let count = 0;
  for (const [name, value] of headers) {
    if (SENSITIVE.test(name)) continue;
    if (++count > MAX_HEADERS) break;
    out[cut(redact(name), MAX_NAME)] = cut(redact(value), MAX_VALUE);
  }
  return Object.freeze(out);
}

/** The request id of a response: the first of `names` present (the vendor's, else the common ones). */
export function requestIdOf(
  headers: Headers,
  names: readonly string[],
  redact: (text: string) => string,
): string | undefined {
  for (const name of names) {
    const value = headers.get(name)?.trim();
    if (value) return cut(redact(value), MAX_REQUEST_ID);
  }
  return undefined;
}

function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
