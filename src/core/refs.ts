/**
 * Task references and origin trust: what a caller names (an id, an object of ids, a task URL)
 * becomes the URL of the task and its kind; a URL goes out only to an origin the client trusts,
 * because the token goes with it.
 *
 * @module
 */
import type { z } from 'zod';
import { ConfigError } from './errors.js';
import type { TaskKind, Vendor } from './vendor.js';

/** A task reference, resolved: where the task lives and how to read it. */
export interface ResolvedTask {
  /** The task's URL, as text: a `URL` is built per request, not kept by every pending wait. */
  href: string;
  kindName: string;
  kind: TaskKind;
  /** For messages: the task id as the caller named it. */
  id: string;
  /** The reference as JSON-safe data, for resume tokens. */
  ref: unknown;
}

/** Resolves references and URLs for one client. */
export interface Refs {
  /** An id, an object of ids, an absolute task URL or `{ url }`, as a task to fetch. */
  resolve(ref: unknown): ResolvedTask;
  /** `input` (absolute, or relative to the base URL) as a URL the token may go to; else a {@link ConfigError} naming `field`. */
  trustedUrl(input: string, field: string): URL;
  /** Path segments below the base URL, each percent-encoded, and a query. */
  pathUrl(path: readonly unknown[], query?: Record<string, unknown>): URL;
}

const MAX_SEGMENT = 2048;
const SCHEME = /^[a-z][a-z0-9+.-]*:/i;
const USERINFO = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*@/i;

/** The references of a client for `vendor` on `base`, sending the token only to `trusted` origins. */
export function createRefs(vendor: Vendor, base: URL, trusted: ReadonlySet<string>): Refs {
  const kinds = vendor.tasks as Record<string, TaskKind>;
  const firstKind = Object.keys(kinds)[0] as string;

  const trustedUrl = (input: string, field: string): URL => {
    let url: URL;
    try {
      url = new URL(input, base);
    } catch {
      throw new ConfigError(field, `${vendor.name}: ${JSON.stringify(input.slice(0, 80))} is not a URL`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw new ConfigError(field, `${vendor.name}: task URLs must be http(s), not ${url.protocol}`);
    }
    if (!trusted.has(url.origin)) {
      throw new ConfigError(
        field,
        `${vendor.name}: ${url.origin} is not the client's origin (${base.origin}); the token is only sent there. Add it to trustedOrigins to allow it`,
      );
    }
    url.username = '';
    url.password = '';
    return url;
  };

  const pathUrl = (path: readonly unknown[], query?: Record<string, unknown>): URL => {
    const encoded = path.map((segment) => encodeURIComponent(checkSegment(vendor.name, segment)));
    const url = new URL(encoded.join('/'), base);
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    return url;
  };

  const fromUrl = (url: URL, given: string | { url: string }): ResolvedTask => {
    const kindName = vendor.routeUrl?.(url) ?? firstKind;
    const kind = kinds[kindName];
    if (!kind) throw new ConfigError('ref', `${vendor.name}: no task kind for ${url.pathname}`);
    const segments = url.pathname.split('/').filter(Boolean);
    // The reference a resume token keeps: never a URL's userinfo (trustedUrl has dropped it from `url`).
    const text = typeof given === 'string' ? given : given.url;
    const ref = !USERINFO.test(text.trim()) ? given : typeof given === 'string' ? url.href : { url: url.href };
    return {
      href: url.href,
      kindName,
      kind,
      id: decodeSegment(segments[segments.length - 1] ?? url.pathname),
      ref,
    };
  };

  const resolve = (ref: unknown): ResolvedTask => {
    if (typeof ref === 'string' && SCHEME.test(ref)) return fromUrl(trustedUrl(ref, 'ref'), ref);
    if (ref && typeof ref === 'object' && 'url' in ref && Object.keys(ref).length === 1) {
      const { url } = ref as { url: unknown };
      if (typeof url !== 'string' || url.trim() === '') {
        throw new ConfigError('ref', `${vendor.name}: { url } must hold a task URL string`);
      }
      return fromUrl(trustedUrl(url, 'ref'), { url });
    }
    const parsed = (vendor.ref as z.ZodType).safeParse(ref);
    if (!parsed.success) {
      const detail = parsed.error.issues
        .slice(0, 3)
        .map((i) => `${i.path.length ? `${i.path.join('.')}: ` : ''}${i.message}`)
        .join('; ');
      throw new ConfigError('ref', `${vendor.name}: bad task reference ${describeRef(ref)}: ${detail}`);
    }
    const route = vendor.route(parsed.data);
    const kind = kinds[route.kind];
    if (!kind) throw new ConfigError('ref', `${vendor.name}: route() named an unknown task kind ${route.kind}`);
    return {
      href: pathUrl(route.path, route.query).href,
      kindName: route.kind,
      kind,
      id: String(route.path[route.path.length - 1]),
      ref: parsed.data,
    };
  };

  return { resolve, trustedUrl, pathUrl };
}

function checkSegment(vendor: string, segment: unknown): string {
  const problem =
    typeof segment !== 'string'
      ? `must be a string, got ${segment === null ? 'null' : typeof segment}`
      : segment.trim() === ''
        ? 'is empty'
        : segment === '.' || segment === '..'
          ? 'is a dot segment'
          : segment.length > MAX_SEGMENT
            ? `is ${segment.length} characters long (at most ${MAX_SEGMENT})`
            : /[/\\?#\s\p{Cc}]/u.test(segment)
              ? 'contains "/", "\\", "?", "#", whitespace or a control character'
              : undefined;
  if (problem) {
    const shown = typeof segment === 'string' ? ` ${JSON.stringify(segment.slice(0, 60))}` : '';
    throw new ConfigError(
      'ref',
      `${vendor}: a task id${shown} ${problem}; pass the bare id, or the task's absolute URL`,
    );
  }
  return segment as string;
}

// A malformed escape (`%E0%A4%A`) is shown as it came, not thrown as a URIError.
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function describeRef(ref: unknown): string {
  if (typeof ref === 'string') return JSON.stringify(ref.slice(0, 60));
  if (ref === null || ref === undefined) return String(ref);
  return typeof ref === 'object' ? 'object' : typeof ref;
}

/** A task's key among a client's pending waits: its URL without a fragment, which is never sent. */
export function taskKey(href: string): string {
  const at = href.indexOf('#');
  return at < 0 ? href : href.slice(0, at);
}
