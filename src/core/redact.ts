/**
 * Server text made fit to show: secrets redacted (in linear time, whatever the text holds) and
 * what is quoted of it bounded.
 *
 * @module
 */

const REDACTED = '[REDACTED]';

// Credentials in the forms the known vendors use, for text we did not produce (bodies, causes).
// Server text is hostile, so each pattern runs in linear time: no start position can make a
// quantifier rescan text another start already scanned (the scheme of a URL may only start where
// no scheme character precedes it, and is at most 32 characters long).
const SECRET_PATTERNS: readonly RegExp[] = [
  /\b(Bearer|Basic|AnaplanAuthToken|Token)(:?\s*)[A-Za-z0-9._~+/=-]{6,}/gi,
  /\b(liq_(?:live|test)_|sk_(?:live_|test_)?|PMAK-)[A-Za-z0-9_-]{4,}/g,
  /((?:api[_-]?key|token|access_token|secret|password|signature)["']?\s*[:=]\s*["']?)[^"'&\s,}]{3,}/gi,
  // The userinfo of a URL: `https://user:password@host`.
  /(?<![a-z0-9+.-])([a-z][a-z0-9+.-]{0,31}:\/\/)[^\s/?#@"']+@/gi,
];

/**
 * Removes credentials from text: every exact secret given, and the token forms the known vendors
 * use. Used on every message, body excerpt and URL that an error carries. Linear in the length of
 * `text`, whatever it holds.
 */
export function redact(text: string, secrets: Iterable<string> = []): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= 4 && out.includes(secret)) out = out.split(secret).join(REDACTED);
  }
  out = out.replace(SECRET_PATTERNS[0] as RegExp, `$1$2${REDACTED}`);
  out = out.replace(SECRET_PATTERNS[1] as RegExp, `$1${REDACTED}`);
  out = out.replace(SECRET_PATTERNS[3] as RegExp, `$1${REDACTED}@`);
  return out.replace(SECRET_PATTERNS[2] as RegExp, `$1${REDACTED}`);
}

/** The most characters of server text a snapshot field (`message`, `error.message`, `rawStatus`) keeps. */
export const MAX_FIELD_CHARS = 4096;
// The most characters of server text one message quotes (room for a field's own `…(n more
// bytes)`, so a bounded field is quoted whole).
export const MAX_QUOTE_CHARS = MAX_FIELD_CHARS + 64;
// Characters a token, a URL or a base64 blob is made of: a cut does not fall among them, unless
// the run is longer than MAX_BACKOFF.
const TOKEN_CHAR = /[A-Za-z0-9._~+/=%:-]/;
const MAX_BACKOFF = 64;

/**
 * `text` cut to at most `max` characters, ending `…(n more bytes)` when it was longer. The cut
 * moves back to the start of a token-like word rather than keep a fragment of one, so a
 * credential cut in half can't slip past the patterns {@link redact} knows.
 */
export function clip(text: string, max: number = MAX_FIELD_CHARS): string {
  if (text.length <= max) return text;
  const cut = safeCut(text, max);
  return `${text.slice(0, cut)}…(${utf8Length(text, cut)} more bytes)`;
}

/**
 * The start of text we did not write, fit to quote in a message: at most `max` characters, with
 * every exact secret in `secrets` and every token form {@link redact} knows removed. Only the
 * start is redacted, so a body of megabytes costs no more than a short one.
 */
export function quote(text: string, max: number = MAX_QUOTE_CHARS, secrets: Iterable<string> = []): string {
  const list = [...secrets];
  // Stryker disable next-line ConditionalExpression,EqualityOperator: the path below gives the same text for one within max
  if (text.length <= max) return redact(text, list);
  // A secret that starts before the cut ends inside the window, so it is redacted whole.
  const longest = list.reduce((n, secret) => Math.max(n, secret.length), 0);
  const window = text.slice(0, safeCut(text, max + longest));
  const redacted = redact(window, list);
  const cut = safeCut(redacted, max);
  const more = utf8Length(redacted, cut) + utf8Length(text, window.length);
  return more === 0 ? redacted : `${redacted.slice(0, cut)}…(${more} more bytes)`;
}

/** Where to cut `text` to at most `max` characters: not inside a token-like word or a surrogate pair. */
function safeCut(text: string, max: number): number {
  if (text.length <= max) return text.length;
  let cut = max;
  if (TOKEN_CHAR.test(text.charAt(cut))) {
    const floor = Math.max(0, max - MAX_BACKOFF);
    while (cut > floor && TOKEN_CHAR.test(text.charAt(cut - 1))) cut--;
    // A run longer than any token form: cut it where it stands (what shows is long enough for
    // the patterns to know it).
    if (cut === floor && TOKEN_CHAR.test(text.charAt(floor - 1))) cut = max;
  }
  const last = text.charCodeAt(cut - 1);
  // A high surrogate before the cut (at a cut of 0, charCodeAt(-1) is NaN: no bound holds).
  if (last >= 0xd800 && last <= 0xdbff) cut--;
  return cut;
}

/** The UTF-8 length of `text` from `start` on. */
function utf8Length(text: string, start: number): number {
  return new TextEncoder().encode(text.slice(start)).byteLength;
}

/** Any value as text, for a message: a Symbol, or an object whose `toString` throws, included. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'symbol') return value.toString();
  try {
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/**
 * Replaces, in place, every exact secret in the strings of a JSON value (a payload a server
 * echoed a credential into), in its keys as in its values. Returns whether it replaced any.
 * Iterative: any depth is safe.
 */
export function redactDeep(value: unknown, secrets: Iterable<string>): boolean {
  const wanted = [...secrets].filter((s) => s.length >= 4);
  if (wanted.length === 0) return false;
  const holds = (text: string) => wanted.some((s) => text.includes(s));
  let changed = false;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const node = stack.pop();
    // Stryker disable next-line ConditionalExpression,LogicalOperator: only the root can be no object, and a primitive root has no key or child that holds a secret
    if (node === null || typeof node !== 'object') continue;
    const record = node as Record<string, unknown>;
    const keys = Object.keys(record);
    for (const key of keys) {
      const child = record[key];
      if (typeof child === 'string') {
        if (holds(child)) {
          record[key] = redact(child, wanted);
          changed = true;
        }
        continue;
      }
      // Stryker disable next-line ConditionalExpression,LogicalOperator: a primitive pushed is popped and skipped above
      if (child !== null && typeof child === 'object') stack.push(child);
    }
    if (!Array.isArray(record) && keys.some(holds)) {
      renameKeys(record, keys, (key) => (holds(key) ? redact(key, wanted) : key));
      changed = true;
    }
  }
  return changed;
}

/** Renames the keys of `record` in place, keeping their order; a name taken twice gets a suffix. */
function renameKeys(record: Record<string, unknown>, keys: readonly string[], rename: (key: string) => string): void {
  const entries = keys.map((key) => [rename(key), record[key]] as const);
  for (const key of keys) delete record[key];
  for (const [name, child] of entries) {
    let unique = name;
    for (let n = 2; Object.hasOwn(record, unique); n++) unique = `${name} (${n})`;
    // Defined, not assigned: a key named `__proto__` stays a key.
    Object.defineProperty(record, unique, { value: child, writable: true, enumerable: true, configurable: true });
  }
}

const SENSITIVE_QUERY = /^(api[_-]?key|key|token|access_token|auth|signature|sig|secret|password)$/i;

/** A URL fit to show: no userinfo, credential-like query values masked. */
export function safeUrl(url: string | URL): string {
  let parsed: URL;
  try {
    parsed = new URL(String(url));
  } catch {
    return redact(String(url));
  }
  parsed.username = '';
  parsed.password = '';
  for (const key of [...parsed.searchParams.keys()]) {
    if (SENSITIVE_QUERY.test(key)) parsed.searchParams.set(key, REDACTED);
  }
  return parsed.toString();
}
