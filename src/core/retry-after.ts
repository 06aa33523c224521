/**
 * A server's retry hint: `Retry-After` as seconds or an HTTP date, or a vendor's own header.
 *
 * @module
 */

/**
 * The server's retry hint in ms: `Retry-After` (seconds or an HTTP date), else the first vendor
 * header (seconds) that parses. Undefined when there is none or it is garbage.
 */
export function retryHint(
  headers: Headers,
  vendorHeaders: readonly string[] = [],
  now = Date.now(),
): number | undefined {
  const standard = headers.get('retry-after');
  if (standard !== null) {
    const parsed = parseRetryAfter(standard, now);
    if (parsed !== undefined) return parsed;
  }
  for (const name of vendorHeaders) {
    const value = headers.get(name);
    if (value === null) continue;
    const seconds = Number(value.trim());
    if (value.trim() !== '' && Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  }
  return undefined;
}

function parseRetryAfter(value: string, now: number): number | undefined {
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}
