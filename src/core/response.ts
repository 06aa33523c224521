/**
 * Reading an answer: a 2xx body checked and validated against its model's schema, any other
 * status turned into an {@link HttpError}. Every text from the server that goes into an error is
 * redacted and bounded.
 *
 * @module
 */
import type { z } from 'zod';
import { nestedDeeperThan } from './body.js';
import type { Credentials } from './credentials.js';
import { HttpError, type ProblemDetails, ResponseValidationError } from './errors.js';
import type { HttpRequest } from './http.js';
import { requestIdOf, safeHeaders } from './observe/headers.js';
import { describeValue, redactDeep } from './redact.js';

const MAX_JSON_DEPTH = 256;
// Stateless between whole-buffer decodes, so one serves every response.
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** Reads the answers of one client. */
export class ResponseReader {
  readonly #vendor: string;
  readonly #credentials: Credentials;
  readonly #requestIdHeaders: readonly string[];

  constructor(vendor: string, credentials: Credentials, requestIdHeaders: readonly string[]) {
    this.#vendor = vendor;
    this.#credentials = credentials;
    this.#requestIdHeaders = requestIdHeaders;
  }

  /** The {@link HttpError} of a non-2xx answer, its body (`bytes`, already capped) redacted. */
  httpError(request: HttpRequest<z.ZodType>, response: Response, bytes: Uint8Array, hintMs?: number): HttpError {
    let text = this.#credentials.redact(new TextDecoder().decode(bytes));
    let problem: ProblemDetails | undefined;
    try {
      const parsed: unknown = JSON.parse(text);
      // An echoed secret may be JSON-escaped (`\u0041`, `\/`) in the text: it shows once parsed.
      if (redactDeep(parsed, this.#credentials.secrets)) text = JSON.stringify(parsed);
      if (parsed && typeof parsed === 'object' && ('title' in parsed || 'detail' in parsed || 'type' in parsed)) {
        problem = parsed as ProblemDetails;
      }
    } catch {
      // Not JSON: the excerpt carries it.
    }
    return new HttpError({
      vendor: this.#vendor,
      status: response.status,
      method: request.method,
      url: request.url.href,
      bodyExcerpt: text.slice(0, 500),
      ...(problem ? { problem } : {}),
      ...(hintMs === undefined ? {} : { retryAfterMs: hintMs }),
      headers: safeHeaders(response.headers, (t) => this.#credentials.redact(t)),
      requestId: requestIdOf(response.headers, this.#requestIdHeaders, (t) => this.#credentials.redact(t)),
    });
  }

  /**
   * The body of a 2xx answer checked and validated: UTF-8, not empty, not nested past any API's
   * depth, JSON, and what `request.schema` accepts, with echoed secrets redacted in place.
   */
  parse<Schema extends z.ZodType>(
    request: HttpRequest<Schema>,
    response: Response,
    bytes: Uint8Array,
  ): z.output<Schema> {
    if (!request.schema) return undefined as z.output<Schema>;
    let text: string;
    try {
      text = UTF8.decode(bytes);
    } catch {
      throw this.invalid(request, response, 'encoding', []);
    }
    if (text.trim() === '') throw this.invalid(request, response, 'empty', []);
    // Deeper than any API nests: the schemas, the normalizer and JSON.stringify of the snapshot
    // would run out of stack on it (a RangeError), so it is refused before it is parsed.
    if (nestedDeeperThan(text, MAX_JSON_DEPTH)) {
      throw this.invalid(request, response, 'schema', [
        { path: [], message: `nested more than ${MAX_JSON_DEPTH} levels deep` },
      ]);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      const type = response.headers.get('content-type') ?? 'no content-type';
      throw this.invalid(request, response, 'not-json', [
        {
          path: [],
          // Not JSON.parse's own message: it quotes the body, and may cut a secret in half.
          message: `${parseFailure(error)} (content-type ${this.#credentials.quote(type, 100)}; starts ${JSON.stringify(this.#credentials.quote(text, 40))})`,
        },
      ]);
    }
    const result = request.schema.safeParse(json);
    if (!result.success) {
      // A path holds the server's keys, and a schema's message may quote its values.
      throw this.invalid(
        request,
        response,
        'schema',
        result.error.issues.map((issue) => ({
          path: issue.path.map((p) =>
            typeof p === 'number' ? p : this.#credentials.quote(typeof p === 'symbol' ? p.toString() : p, 200),
          ),
          message: this.#credentials.quote(describeValue(issue.message)),
          code: issue.code,
        })),
      );
    }
    // A server may echo the credential into a body (a failure text, a field). The deep walk runs
    // only when the text holds a secret, or an escape that could spell one.
    if (
      this.#credentials.secrets.size > 0 &&
      (text.includes('\\') || [...this.#credentials.secrets].some((s) => text.includes(s)))
    ) {
      redactDeep(result.data, this.#credentials.secrets);
    }
    return result.data;
  }

  /** A {@link ResponseValidationError} for `request`'s answer. */
  invalid(
    request: HttpRequest<z.ZodType>,
    response: Response,
    reason: ResponseValidationError['reason'],
    issues: ResponseValidationError['issues'],
  ): ResponseValidationError {
    return new ResponseValidationError({
      vendor: this.#vendor,
      model: request.model,
      reason,
      issues,
      url: request.url.href,
      status: response.status,
    });
  }
}

/** Where JSON.parse stopped, without its message's quote of the body. */
function parseFailure(error: unknown): string {
  const at = /at position (\d+)/.exec(error instanceof Error ? error.message.slice(0, 200) : '');
  return `not valid JSON${at ? ` at character ${at[1]}` : ''}`;
}
