/**
 * Fault injection: which requests go wrong, and how the wrong answer looks in the vendor's own
 * words (its error body, its rate-limit headers).
 *
 * @module
 */
import { ConfigError } from '../index.js';
import type { VendorFake } from './fake.js';

/**
 * One fault rule of a fake task. Say which requests it hits (`on` or `rate`) and what goes wrong
 * (`status`, `rateLimit`, `drop`, `body` or `trickleMs`, each optionally late by `latencyMs`; or
 * `latencyMs` alone for a slow but correct answer). The first rule that hits a request wins.
 *
 * @example
 * ```ts
 * faults: [
 *   { on: 1, status: 503 },                    // the vendor's own 503 body
 *   { on: [2, 3], rateLimit: 1 },              // 429 + the vendor's retry headers (1 s)
 *   { on: 4, drop: true },                     // the connection closes without an answer
 *   { on: 5, body: 'truncated' },              // 200 with the JSON cut short
 *   { rate: 0.2, body: 'html' },               // a proxy's HTML page (200) on ~20 % of requests
 *   { on: 6, latencyMs: 50 },                  // the right answer, 50 ms late
 *   { on: 7, body: 'reset' },                  // the connection is reset half-way through the body
 *   { on: 8, trickleMs: 500 },                 // the right answer, a few bytes at a time over 500 ms
 * ]
 * ```
 */
export interface FaultRule {
  /** The requests it hits, counted per task from 1 (retries count: they are requests too). */
  on?: number | readonly number[] | undefined;
  /** Or: each request with this probability (0..1), drawn from the task's seeded random source. */
  rate?: number | undefined;
  /** Answer with this status (400..599) and the vendor's own error body. */
  status?: number | undefined;
  /** The message in the error body of a `status` or `rateLimit` answer. */
  message?: string | undefined;
  /** Answer 429 asking the client to retry after this many seconds. */
  rateLimit?: number | undefined;
  /**
   * Which retry headers a `rateLimit` answer carries: the vendor's own (`'vendor'`, the default),
   * only the standard `Retry-After` (`'standard'`), or `'both'`.
   */
  retryHeaders?: 'vendor' | 'standard' | 'both' | undefined;
  /** Close the connection without an answer (msw: a network error). */
  drop?: boolean | undefined;
  /**
   * Answer 200 with a broken body: the vendor's JSON cut in half (`'truncated'`), an HTML page
   * (`'html'`), or the vendor's JSON with its full `Content-Length`, the connection reset half-way
   * through it (`'reset'`; msw: the body stream fails).
   */
  body?: 'truncated' | 'html' | 'reset' | undefined;
  /** Send the right answer a few bytes at a time, spread over this many ms. */
  trickleMs?: number | undefined;
  /** Hold the answer back this long, in ms. */
  latencyMs?: number | undefined;
}

/** What a fault makes of one answer. */
export type FaultEffect =
  | { kind: 'status'; status: number; message: string }
  | { kind: 'rateLimit'; seconds: number; headers: 'vendor' | 'standard' | 'both'; message: string }
  | { kind: 'drop' }
  | { kind: 'truncated' }
  | { kind: 'html' }
  | { kind: 'reset' }
  | { kind: 'trickle'; ms: number }
  | { kind: 'latency' };

interface CompiledRule {
  on: ReadonlySet<number> | undefined;
  rate: number | undefined;
  effect: FaultEffect;
  latencyMs: number;
}

/** The fault of one request: its effect and delay. */
export interface Fault {
  effect: FaultEffect;
  latencyMs: number;
}

/** Checks fault rules once, with errors that name the rule at fault. */
export function compileFaults(rules: readonly FaultRule[] = []): CompiledRule[] {
  return rules.map((rule, index) => {
    const where = `faults[${index}]`;
    const fail = (message: string): never => {
      throw new ConfigError('faults', `${where}: ${message}`);
    };
    if ((rule.on === undefined) === (rule.rate === undefined)) fail('give either `on` (request numbers) or `rate`');
    let on: Set<number> | undefined;
    if (rule.on !== undefined) {
      const list = typeof rule.on === 'number' ? [rule.on] : rule.on;
      if (!Array.isArray(list) || list.some((n) => !Number.isInteger(n) || n < 1)) {
        fail('`on` takes request numbers counted from 1');
      }
      on = new Set(list);
    }
    if (rule.rate !== undefined && !(rule.rate >= 0 && rule.rate <= 1)) fail('`rate` must be from 0 to 1');
    const latencyMs = rule.latencyMs ?? 0;
    if (!(Number.isFinite(latencyMs) && latencyMs >= 0)) fail('`latencyMs` must be a number of ms, at least 0');
    const chosen = (['status', 'rateLimit', 'drop', 'body', 'trickleMs'] as const).filter(
      (key) => rule[key] !== undefined && rule[key] !== false,
    );
    if (chosen.length > 1) {
      fail(`choose one of status, rateLimit, drop, body and trickleMs, not ${chosen.join(' and ')}`);
    }
    let effect: FaultEffect = { kind: 'latency' };
    if (rule.status !== undefined) {
      if (!Number.isInteger(rule.status) || rule.status < 400 || rule.status > 599) {
        fail('`status` must be an error status from 400 to 599');
      }
      effect = { kind: 'status', status: rule.status, message: rule.message ?? defaultMessage(rule.status) };
    } else if (rule.rateLimit !== undefined) {
      if (!(Number.isFinite(rule.rateLimit) && rule.rateLimit >= 0)) fail('`rateLimit` is a number of seconds');
      effect = {
        kind: 'rateLimit',
        seconds: rule.rateLimit,
        headers: rule.retryHeaders ?? 'vendor',
        message: rule.message ?? defaultMessage(429),
      };
    } else if (rule.drop) {
      effect = { kind: 'drop' };
    } else if (rule.body !== undefined) {
      if (rule.body !== 'truncated' && rule.body !== 'html' && rule.body !== 'reset') {
        fail("`body` is 'truncated', 'html' or 'reset'");
      }
      effect = { kind: rule.body };
    } else if (rule.trickleMs !== undefined) {
      if (!(Number.isFinite(rule.trickleMs) && rule.trickleMs >= 0))
        fail('`trickleMs` must be a number of ms, at least 0');
      effect = { kind: 'trickle', ms: rule.trickleMs };
    } else if (rule.latencyMs === undefined) {
      fail('say what goes wrong: status, rateLimit, drop, body, trickleMs or latencyMs');
    }
    return { on, rate: rule.rate, effect, latencyMs };
  });
}

/**
 * The fault for request `n`, if any. Every `rate` rule draws one number per request, hit or not,
 * so a seed gives the same faults whatever the other rules are.
 */
export function pickFault(rules: readonly CompiledRule[], n: number, random: () => number): Fault | undefined {
  let hit: CompiledRule | undefined;
  for (const rule of rules) {
    const hits = rule.on ? rule.on.has(n) : random() < (rule.rate as number);
    if (hits && !hit) hit = rule;
  }
  return hit && { effect: hit.effect, latencyMs: hit.latencyMs };
}

/** The vendor's own error answer for `status`: its body, content type and (for 429) headers. */
export function errorAnswer(
  fake: VendorFake,
  status: number,
  message: string,
  retry?: { seconds: number; headers: 'vendor' | 'standard' | 'both' },
): { status: number; headers: Record<string, string>; body: string } {
  const { body, contentType } = fake.errorBody(status, message);
  const headers: Record<string, string> = { 'content-type': contentType };
  if (retry) {
    if (retry.headers !== 'standard') Object.assign(headers, lowerKeys(fake.rateLimitHeaders(retry.seconds)));
    if (retry.headers !== 'vendor') headers['retry-after'] = String(retry.seconds);
  }
  return { status, headers, body: typeof body === 'string' ? body : JSON.stringify(body) };
}

/** A page a proxy or a captive portal might put in place of the API's answer. */
export const HTML_PAGE =
  '<!DOCTYPE html>\n<html><head><title>Scheduled maintenance</title></head>' +
  '<body><h1>We will be back soon</h1><p>The service is under maintenance.</p></body></html>\n';

/** Cuts a JSON text so that it no longer parses. */
export function truncate(json: string): string {
  return json.slice(0, Math.max(1, Math.floor(json.length / 2)));
}

/** A small, fast, seedable random source (mulberry32): the same seed gives the same faults. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function lowerKeys(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

function defaultMessage(status: number): string {
  if (status === 401) return 'Invalid or missing credentials';
  if (status === 403) return 'Access denied';
  if (status === 404) return 'Not found';
  if (status === 429) return 'Too many requests';
  if (status >= 500) return 'The service is temporarily unavailable';
  return 'Bad request';
}
