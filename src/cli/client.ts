/**
 * What every command shares: its streams, and a client made only after its task ref checks out.
 *
 * @module
 */
import type { ZodType } from 'zod';
import { type ClientOptions, createClient, type Logger } from '../index.js';
import { MissingTokenError, UsageError } from './exit.js';
import type { DataOut, MessageOut } from './output.js';
import { type AnyVendor, type CliVendor, GENERIC_TOKEN_ENV } from './vendors.js';

/** What a command needs besides its arguments. */
export interface CommandIo {
  out: DataOut;
  err: MessageOut;
  /** Aborted by Ctrl-C, SIGTERM or a closed stdout. */
  signal: AbortSignal;
  token: string | undefined;
  /** Writes the library's log records to stderr (at debug with --verbose, else at TASKWAIT_LOG's level). */
  logger: Logger;
  /** Whether stderr takes colours. */
  color: boolean;
  /** The text of a file, or of stdin for `-`: where `--refs` reads. */
  readText(source: string): Promise<string>;
}

/** The parts of a command that name a task. */
export interface TaskTarget {
  vendor: CliVendor;
  ref: unknown;
  baseUrl: string | undefined;
}

/** `vendor`'s client for `target`, once its ref has passed {@link checkRef}. */
export function clientFor<V extends AnyVendor>(
  vendor: V,
  target: TaskTarget & { verbose: boolean },
  io: Pick<CommandIo, 'token' | 'logger'>,
  options: Omit<ClientOptions, 'token' | 'baseUrl' | 'logger'> = {},
) {
  checkRef(target);
  const { token } = io;
  if (token === undefined) {
    throw new MissingTokenError(
      `no token was set: set ${target.vendor.env} (or ${GENERIC_TOKEN_ENV}); nothing was sent to ${target.vendor.name}`,
    );
  }
  return createClient(vendor, {
    // Logs go to stderr, never to stdout (where console.info would put them), and only when asked.
    logger: io.logger,
    ...(target.verbose ? { logLevel: 'debug' as const } : {}),
    ...options,
    token,
    ...(target.baseUrl === undefined ? {} : { baseUrl: target.baseUrl }),
  });
}

const SCHEME = /^[a-z][a-z0-9+.-]*:/i;

/**
 * Checks a task ref before any request, so that a mistake is a usage error and not a failed
 * wait: an absolute task URL must be on the base URL's origin (the token only goes there; the
 * library refuses it too), anything else must fit the vendor's reference schema.
 */
export function checkRef({ vendor, ref, baseUrl }: TaskTarget): void {
  if (typeof ref === 'string' && SCHEME.test(ref)) {
    checkOrigin(ref, baseUrl ?? vendor.vendor.baseUrl);
    return;
  }
  if (isUrlObject(ref)) {
    // `{ url }`: absolute, or relative to the base URL.
    if (SCHEME.test(ref.url)) checkOrigin(ref.url, baseUrl ?? vendor.vendor.baseUrl);
    return;
  }
  const parsed = (vendor.vendor.ref as ZodType).safeParse(ref);
  if (!parsed.success) {
    const detail = parsed.error.issues
      .slice(0, 3)
      .map((i) => `${i.path.length ? `${i.path.join('.')}: ` : ''}${i.message}`)
      .join('; ');
    throw new UsageError(`bad ${vendor.name} task ref: ${detail}`);
  }
}

function checkOrigin(url: string, baseUrl: string): void {
  let origin: string;
  try {
    origin = new URL(url).origin;
  } catch {
    throw new UsageError(`the task ref looks like a URL but is not one: "${url.slice(0, 60)}"`);
  }
  const base = new URL(baseUrl).origin;
  if (origin !== base) {
    throw new UsageError(
      `the task URL is on ${origin}, not on the base URL's origin ${base}, the only one the token goes to; pass --base-url ${origin} if you trust it`,
    );
  }
}

function isUrlObject(ref: unknown): ref is { url: string } {
  return (
    typeof ref === 'object' &&
    ref !== null &&
    Object.keys(ref).length === 1 &&
    typeof (ref as { url?: unknown }).url === 'string'
  );
}
