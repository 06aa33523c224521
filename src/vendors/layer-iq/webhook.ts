/**
 * Verification of Layer IQ webhook deliveries: the `X-LayerIQ-Signature: t=<unix>,v1=<hex>`
 * header is an HMAC-SHA256 of `${t}.${rawBody}` with the endpoint's signing secret. Web Crypto
 * only, so it runs in Node 20+, browsers, Deno, Bun and edge runtimes.
 *
 * @module
 */
import { ConfigError, clip, TaskwaitError } from '../../core/vendor.js';
import { type WebhookEvent, WebhookEventSchema } from './schemas.js';

/** The name of the signature header. */
export const SIGNATURE_HEADER = 'X-LayerIQ-Signature';

/** Why a delivery was rejected. */
export type WebhookFailure =
  | 'missing-signature'
  | 'malformed-signature'
  | 'bad-signature'
  | 'stale-timestamp'
  | 'future-timestamp'
  | 'bad-body';

/** A webhook delivery that must not be trusted: answer it with a 400 and do not act on it. */
export class WebhookVerificationError extends TaskwaitError {
  override name = 'WebhookVerificationError';
  readonly reason: WebhookFailure;
  /** For `bad-body`: where the body departs from the `WebhookEvent` schema. */
  readonly issues: readonly { path: readonly (string | number)[]; message: string }[];

  constructor(
    reason: WebhookFailure,
    message: string,
    issues: WebhookVerificationError['issues'] = [],
    options?: { cause?: unknown },
  ) {
    super(`layer-iq webhook: ${message}`, options);
    this.reason = reason;
    this.issues = issues;
  }
}

/** Options of {@link verifyWebhook}. */
export interface VerifyWebhookOptions {
  /** The raw request body, exactly as received: not a re-serialized object. */
  payload: string | Uint8Array;
  /** The value of the `X-LayerIQ-Signature` header. */
  header: string | null | undefined;
  /** The endpoint's signing secret. */
  secret: string | Uint8Array;
  /** How far `t` may be from now, either way. Default 300 (5 minutes). */
  toleranceSeconds?: number | undefined;
  /** The current time (ms since the epoch, or a `Date`). Default `Date.now()`. */
  now?: number | Date | undefined;
}

/**
 * Checks a delivery's signature and timestamp, then parses and validates its body. Any `v1`
 * value in the header may match (several are sent while a secret rotates).
 *
 * @returns the validated {@link WebhookEvent}; dedupe on its `id`, failed deliveries are retried.
 * @throws {@link WebhookVerificationError} for a missing, malformed or wrong signature, a
 *   timestamp outside the window (a replay), or a body that is not a `WebhookEvent`.
 * @example
 * ```ts
 * const event = await verifyWebhook({
 *   payload: await request.text(),
 *   header: request.headers.get('x-layeriq-signature'),
 *   secret: process.env.LAYER_IQ_WEBHOOK_SECRET!,
 * });
 * await client.wait(client.webhookRef(event));
 * ```
 */
export async function verifyWebhook(options: VerifyWebhookOptions): Promise<WebhookEvent> {
  const { header, toleranceSeconds = 300 } = options;
  if (!(Number.isFinite(toleranceSeconds) && toleranceSeconds >= 0)) {
    throw new ConfigError('toleranceSeconds', `toleranceSeconds must be a finite number of seconds, at least 0`);
  }
  const body = bytesOf(options.payload);
  if (typeof header !== 'string' || header.trim() === '') {
    throw new WebhookVerificationError('missing-signature', `no ${SIGNATURE_HEADER} header`);
  }
  const { t, signatures } = parseHeader(header);
  const expected = await hmac(options.secret, t, body);
  let matched = false;
  for (const signature of signatures) matched = constantTimeEqual(expected, signature) || matched;
  if (!matched) {
    throw new WebhookVerificationError('bad-signature', 'the signature does not match the body and secret');
  }
  const now = Math.floor(Number(options.now ?? Date.now()) / 1000);
  const age = now - Number(t);
  if (age > toleranceSeconds) {
    throw new WebhookVerificationError(
      'stale-timestamp',
      `the delivery was signed ${age} s ago (tolerance ${toleranceSeconds} s)`,
    );
  }
  if (-age > toleranceSeconds) {
    throw new WebhookVerificationError(
      'future-timestamp',
      `the delivery is signed ${-age} s in the future (tolerance ${toleranceSeconds} s)`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
  } catch {
    // Not JSON.parse's error as the cause: its message quotes the body.
    throw new WebhookVerificationError('bad-body', 'the body is not UTF-8 JSON');
  }
  const parsed = WebhookEventSchema.safeParse(json);
  if (!parsed.success) {
    // A path holds the body's keys: bounded, as everything quoted from a server is.
    const issues = parsed.error.issues.map((i) => ({
      path: i.path.map((p) => (typeof p === 'symbol' ? p.toString() : typeof p === 'string' ? clip(p, 200) : p)),
      message: clip(i.message, 1024),
    }));
    const listed = issues
      .slice(0, 5)
      .map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`)
      .join('; ');
    throw new WebhookVerificationError('bad-body', `the body is not a WebhookEvent: ${listed}`, issues);
  }
  return parsed.data;
}

/** Options of {@link signWebhook}. */
export interface SignWebhookOptions {
  payload: string | Uint8Array;
  secret: string | Uint8Array;
  /** Unix seconds to sign with. Default: now. */
  timestamp?: number | undefined;
}

/**
 * Signs a body as Layer IQ does and returns the `X-LayerIQ-Signature` header value, for tests and
 * fake servers.
 *
 * @example
 * ```ts
 * const header = await signWebhook({ payload: JSON.stringify(event), secret });
 * ```
 */
export async function signWebhook(options: SignWebhookOptions): Promise<string> {
  const t = options.timestamp ?? Math.floor(Date.now() / 1000);
  if (!Number.isSafeInteger(t) || t < 0) throw new ConfigError('timestamp', 'timestamp must be whole unix seconds');
  const signature = await hmac(options.secret, String(t), bytesOf(options.payload));
  return `t=${t},v1=${[...signature].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
}

function parseHeader(header: string): { t: string; signatures: Uint8Array[] } {
  let t: string | undefined;
  let times = 0;
  const signatures: Uint8Array[] = [];
  for (const part of header.split(',')) {
    const at = part.indexOf('=');
    const key = part.slice(0, Math.max(at, 0)).trim();
    const value = part.slice(at + 1).trim();
    if (key === 't') {
      t = value;
      times += 1;
    } else if (key === 'v1' && /^[0-9a-f]{64}$/i.test(value)) {
      signatures.push(Uint8Array.from(value.match(/../g) ?? [], (h) => Number.parseInt(h, 16)));
    }
  }
  if (times !== 1 || t === undefined || !/^\d{1,12}$/.test(t) || signatures.length === 0) {
    throw new WebhookVerificationError(
      'malformed-signature',
      `${SIGNATURE_HEADER} must read t=<unix seconds>,v1=<64 hex digits>`,
    );
  }
  return { t, signatures };
}

function bytesOf(value: string | Uint8Array): Uint8Array<ArrayBuffer> {
  if (typeof value === 'string') return new TextEncoder().encode(value);
  if (value instanceof Uint8Array) return Uint8Array.from(value);
  throw new ConfigError('payload', 'the payload must be the raw body, as a string or a Uint8Array');
}

async function hmac(secret: string | Uint8Array, t: string, body: Uint8Array): Promise<Uint8Array> {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) throw new ConfigError('crypto', 'Web Crypto (globalThis.crypto.subtle) is not available here');
  const keyBytes = typeof secret === 'string' || secret instanceof Uint8Array ? bytesOf(secret) : undefined;
  if (!keyBytes || keyBytes.length === 0) throw new ConfigError('secret', 'the webhook signing secret is empty');
  const key = await subtle.importKey('raw', keyBytes, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const prefix = new TextEncoder().encode(`${t}.`);
  const signed = new Uint8Array(prefix.length + body.length);
  signed.set(prefix);
  signed.set(body, prefix.length);
  return new Uint8Array(await subtle.sign('HMAC', key, signed));
}

/** Compares every byte whatever the differences, so the time taken says nothing about the secret. */
function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}
