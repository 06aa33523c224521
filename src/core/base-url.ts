/**
 * Base URLs, of a vendor or of a client: absolute http(s), no query, no credentials.
 *
 * @module
 */
import { ConfigError } from './errors.js';

/** Parses an absolute http(s) base URL, or throws a {@link ConfigError} that says what is wrong. */
export function parseBaseUrl(value: unknown, field = 'baseUrl'): URL {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new ConfigError(field, `${field} must be an absolute http(s) URL, got ${describe(value)}`);
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(
      field,
      `${field} must be an absolute http(s) URL such as https://api.example.com/v1, got ${describe(value)}`,
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConfigError(field, `${field} must use http or https, not ${url.protocol}`);
  }
  if (url.search || url.hash) {
    throw new ConfigError(field, `${field} must not carry a query or fragment`);
  }
  if (url.username || url.password) {
    throw new ConfigError(field, `${field} must not carry credentials; give them to createClient as \`token\``);
  }
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  return url;
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
  return value === null ? 'null' : typeof value;
}
