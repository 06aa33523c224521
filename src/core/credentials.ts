/**
 * A client's credentials: the token (or the function that gives the current one), the headers it
 * becomes, checked once per token, and the secrets that redaction removes from everything shown.
 *
 * @module
 */
import { abortable, TIMED_OUT } from './abort.js';
import { ConfigError } from './errors.js';
import { describeValue, quote, redact } from './redact.js';
import type { AuthScheme } from './vendor.js';

/** Whether `fetch` would take this header (it throws a TypeError on a bad name or value). */
export function isHeaderSafe(name: string, value: string): boolean {
  try {
    new Headers([[name, value]]);
    return true;
  } catch {
    return false;
  }
}

/** A token that can't go in a header would fail every request as a network error: it is refused instead. */
export function checkTokenHeaders(vendor: string, headers: Record<string, string>): void {
  for (const [name, value] of Object.entries(headers)) {
    if (!isHeaderSafe(name, value)) {
      // The value is not shown: it holds the token.
      throw new ConfigError(
        'token',
        `${vendor}: the token can't be sent in the ${name} header: it holds a line break, a control character or a character outside Latin-1 (check for a stray newline)`,
      );
    }
  }
}

/** Whether `headers` pass {@link checkTokenHeaders}. */
function isSendable(headers: Record<string, string>): boolean {
  return Object.entries(headers).every(([name, value]) => isHeaderSafe(name, value));
}

/** A token, or a function that returns the current one (for rotating credentials). */
export type TokenSource = string | (() => string | Promise<string>);

const NO_HEADERS: Record<string, string> = Object.freeze({});
// A token function that rotates keeps the recent credentials redacted without growing forever.
const MAX_REMEMBERED_SECRETS = 32;

/** One client's credentials. Holds the token only in private fields, never in output. */
export class Credentials {
  readonly #vendor: string;
  readonly #auth: AuthScheme;
  readonly #token: TokenSource | undefined;
  readonly #timeoutMs: number;
  /** Every token and header value sent lately: what redaction removes. */
  readonly secrets = new Set<string>();
  #lastToken: string | undefined;
  #lastHeaders: Record<string, string> | undefined;

  constructor(vendor: string, auth: AuthScheme, token: TokenSource | undefined, timeoutMs: number) {
    this.#vendor = vendor;
    this.#auth = auth;
    this.#token = token;
    this.#timeoutMs = timeoutMs;
    if (typeof token === 'string') {
      const headers = auth(token);
      this.#remember(token, headers);
      // Ready before the first request, so that it, too, spends no await on them and requests go
      // out in the order they were made. A bad one is refused by the first request, as before.
      if (isSendable(headers)) {
        this.#lastToken = token;
        this.#lastHeaders = headers;
      }
    }
  }

  /** The headers of a fixed token, ready without an await; undefined when they must be asked for. */
  ready(): Record<string, string> | undefined {
    if (this.#token === undefined) return NO_HEADERS;
    return typeof this.#token === 'function' ? undefined : this.#lastHeaders;
  }

  /**
   * The auth headers for the current token. A token function is bounded by `signal`: one that
   * outlives the request's deadline, or throws, is a {@link ConfigError} naming `token`.
   */
  async headers(signal: AbortSignal): Promise<Record<string, string>> {
    const source = this.#token;
    if (source === undefined) return {};
    let token: unknown;
    try {
      token = typeof source === 'function' ? await abortable(callToken(source), signal) : source;
    } catch (error) {
      if (signal.aborted && error === signal.reason) {
        if (error !== TIMED_OUT) throw error;
        throw new ConfigError(
          'token',
          `${this.#vendor}: the \`token\` function did not settle within the request timeout (${this.#timeoutMs} ms)`,
        );
      }
      throw new ConfigError('token', `${this.#vendor}: the \`token\` function threw`, {
        cause: error instanceof Error ? new Error(this.quote(describeValue(error.message))) : undefined,
      });
    }
    if (typeof token !== 'string' || token.trim() === '') {
      throw new ConfigError('token', `${this.#vendor}: the token must be a non-empty string`);
    }
    // A token is turned into headers and checked once, not on every request: most never change.
    if (token !== this.#lastToken || this.#lastHeaders === undefined) {
      const headers = this.#auth(token);
      checkTokenHeaders(this.#vendor, headers);
      this.#remember(token, headers);
      this.#lastToken = token;
      this.#lastHeaders = headers;
    }
    return this.#lastHeaders;
  }

  /** `text` with this client's secrets, and known token forms, removed. */
  redact(text: string): string {
    return redact(text, this.secrets);
  }

  /** Text we did not write (a body, a header, a callback's error), bounded and redacted. */
  quote(text: string, max?: number): string {
    return quote(text, max, this.secrets);
  }

  #remember(token: string, headers: Record<string, string>): void {
    for (const value of [token, ...Object.values(headers)]) {
      // Re-added last, so the oldest rotated tokens are the ones forgotten.
      this.secrets.delete(value);
      this.secrets.add(value);
    }
    while (this.secrets.size > MAX_REMEMBERED_SECRETS)
      this.secrets.delete(this.secrets.values().next().value as string);
  }
}

/** Calls a token function: a synchronous throw becomes a rejection like an asynchronous one. */
async function callToken(source: () => string | Promise<string>): Promise<string> {
  return source();
}
