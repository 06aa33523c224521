// Shared by the reliability suites: the vendors under test, a fault mix, and handle accounting.
import type { TaskState, Vendor } from '../../src/index.js';
import {
  anaplanFake,
  type FakePhase,
  type FaultRule,
  layerIqFake,
  mixpeekFake,
  postmanFake,
  type RecordedRequest,
  softwareOneFake,
  type VendorFake,
} from '../../src/testing/server.js';
import { anaplan } from '../../src/vendors/anaplan/index.js';
import { layerIq } from '../../src/vendors/layer-iq/index.js';
import { mixpeek } from '../../src/vendors/mixpeek/index.js';
import { postman } from '../../src/vendors/postman/index.js';
import { softwareOne } from '../../src/vendors/softwareone/index.js';

// biome-ignore lint/suspicious/noExplicitAny: any vendor, whatever its type parameters
export type AnyVendor = Vendor<string, string, any, any, any>;

/** A built-in vendor, its fake and a token in the form its auth scheme expects. */
export interface VendorCase {
  name: string;
  vendor: AnyVendor;
  fake: VendorFake;
  token: string;
  /** The header that carries the token, lower-cased. */
  header: string;
  /** A task id in the vendor's own format for the `n`-th task of a suite. */
  id(n: number): string;
}

const hex = (n: number, width: number) => n.toString(16).toUpperCase().padStart(width, '0');

export const VENDOR_CASES: readonly VendorCase[] = [
  {
    name: 'mixpeek',
    vendor: mixpeek,
    fake: mixpeekFake,
    token: 'sk_test_5oakMixpeek0001',
    header: 'authorization',
    id: (n) => `task_${hex(n, 8).toLowerCase()}`,
  },
  {
    name: 'postman',
    vendor: postman,
    fake: postmanFake,
    token: 'PMAK-5oak0postman0key',
    header: 'x-api-key',
    id: (n) => `66ae9950-0869-4e65-96b0-${hex(n, 12).toLowerCase()}`,
  },
  {
    name: 'anaplan',
    vendor: anaplan,
    fake: anaplanFake,
    token: 'AnaplanSoakToken0001',
    header: 'authorization',
    id: (n) => hex(n, 32),
  },
  {
    name: 'softwareone',
    vendor: softwareOne,
    fake: softwareOneFake,
    token: 'idt:TKN-5oak-0001',
    header: 'authorization',
    id: (n) =>
      `TSK-0001-${String(Math.floor(n / 1e8) % 1e4).padStart(4, '0')}-${String(Math.floor(n / 1e4) % 1e4).padStart(4, '0')}-${String(n % 1e4).padStart(4, '0')}`,
  },
  {
    name: 'layer-iq',
    vendor: layerIq,
    fake: layerIqFake,
    token: 'liq_test_5oakLayerIq01',
    header: 'x-api-key',
    id: (n) => `run_${String(n).padStart(8, '0')}`,
  },
];

/** The non-terminal life before an outcome: every state the vendor can say, then the end. */
export function lifeOf(outcome: TaskState, rich: boolean): FakePhase[] {
  const phases: FakePhase[] = [
    { state: 'queued', polls: 1 },
    { state: 'running', progress: [0.25, 0.5] },
  ];
  if (rich) {
    phases.splice(1, 0, { state: 'blocked', polls: 1 });
    phases.push({ state: 'unknown', polls: 1 }, { state: 'running', progress: [0.75] });
    if (outcome === 'canceled') phases.push({ state: 'canceling', polls: 1 });
  }
  return phases;
}

/** The sizes of one soak: how many, how often and how slow things go wrong. */
export interface FaultProfile {
  /** The share of requests that go wrong, 0..1. */
  rate: number;
  /** The `Retry-After` of a 429, in seconds. */
  retryAfterSeconds: number;
  /** A held-back answer: longer than the client's request timeout. */
  stallMs: number;
  /** A trickle that still arrives within the request timeout, and one that does not. */
  fastTrickleMs: number;
  slowTrickleMs: number;
}

/**
 * Every fault kind at `profile.rate` in all: 500/502/503/504, 429 with the vendor's, the
 * standard or both retry headers, a dropped connection, a reset mid-body, truncated JSON, an
 * HTML page with 200, a stall past the request timeout and fast and slow trickles.
 */
export function faultMix(profile: FaultProfile): FaultRule[] {
  const share = profile.rate / 14;
  const seconds = profile.retryAfterSeconds;
  return [
    { rate: share, status: 500 },
    { rate: share, status: 502 },
    { rate: share, status: 503 },
    { rate: share, status: 504 },
    { rate: share, rateLimit: seconds, retryHeaders: 'vendor' },
    { rate: share, rateLimit: seconds, retryHeaders: 'standard' },
    { rate: share, rateLimit: seconds, retryHeaders: 'both' },
    { rate: share, drop: true },
    { rate: share, body: 'reset' },
    { rate: share, body: 'truncated' },
    { rate: share, body: 'html' },
    { rate: share, latencyMs: profile.stallMs },
    { rate: share, trickleMs: profile.fastTrickleMs },
    { rate: share, trickleMs: profile.slowTrickleMs },
  ];
}

/**
 * Requests sent before the `Retry-After` of the 429 before them allowed: pairs of consecutive
 * requests of one task, the first a 429 asking for `hintMs`, the second less than `hintMs` later.
 * `slackMs` covers the rounding of two `Date.now()` readings. `counts(at, next)` may leave out a
 * 429 the client never got.
 */
export function earlyRetries(
  requests: readonly RecordedRequest[],
  hintMs: number,
  slackMs = 2,
  counts: (at: number, next: number) => boolean = () => true,
): { gapMs: number; at: number }[] {
  const early: { gapMs: number; at: number }[] = [];
  for (let i = 1; i < requests.length; i++) {
    const before = requests[i - 1] as RecordedRequest;
    const after = requests[i] as RecordedRequest;
    if (before.status !== 429 || !counts(before.at, after.at)) continue;
    const gapMs = after.at - before.at;
    if (gapMs < hintMs - slackMs) early.push({ gapMs, at: after.at });
  }
  return early;
}

/**
 * Requests a client sent too soon after a 429 it had received: for each exchange answered 429 at
 * `answeredAt`, any later exchange of the same task sent after that answer but less than
 * `hintMs` (less `slackMs`) after it. Exchanges sent before the answer came were already in flight.
 */
export function sentTooSoon(
  exchanges: readonly Exchange[],
  hintMs: number,
  slackMs = 2,
): { gapMs: number; at: number }[] {
  const early: { gapMs: number; at: number }[] = [];
  for (const limited of exchanges) {
    if (limited.status !== 429 || limited.answeredAt === undefined) continue;
    const answered = limited.answeredAt;
    for (const next of exchanges) {
      const gapMs = next.sentAt - answered;
      if (next !== limited && gapMs >= 0 && gapMs < hintMs - slackMs) early.push({ gapMs, at: next.sentAt });
    }
  }
  return early;
}

/** The sockets, servers and timers alive now, by kind (the test runner's own pipes left out). */
export function resources(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const kind of process.getActiveResourcesInfo()) {
    if (kind !== 'PipeWrap') counts.set(kind, (counts.get(kind) ?? 0) + 1);
  }
  return counts;
}

/** The kinds of which more are alive than in `baseline`, with how many more. */
export function leftOver(baseline: Map<string, number>, now = resources()): Record<string, number> {
  const extra: Record<string, number> = {};
  for (const [kind, count] of now) {
    const more = count - (baseline.get(kind) ?? 0);
    if (more > 0) extra[kind] = more;
  }
  return extra;
}

/** Lets closed sockets finish closing: turns of the event loop, then short sleeps, up to ~2 s. */
export async function settle(until: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !until(); i++) await new Promise((resolve) => setImmediate(resolve));
  for (let i = 0; i < 100 && !until(); i++) await new Promise((resolve) => setTimeout(resolve, 20));
}

/** Runs `jobs` with at most `limit` at a time; resolves with their settled results in order. */
export async function pool<T>(jobs: readonly (() => Promise<T>)[], limit: number): Promise<PromiseSettledResult<T>[]> {
  const results: PromiseSettledResult<T>[] = new Array(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const index = next++;
      try {
        results[index] = { status: 'fulfilled', value: await (jobs[index] as () => Promise<T>)() };
      } catch (reason) {
        results[index] = { status: 'rejected', reason };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker));
  return results;
}

/** One request as the client saw it: when it went out and, if an answer came, when and with what status. */
export interface Exchange {
  method: string;
  /** The URL's path (no query). */
  path: string;
  sentAt: number;
  status?: number;
  /** When the answer's headers (and, for an error status, its whole body) had arrived. */
  answeredAt?: number;
}

/**
 * The global fetch, logging each exchange as the client sees it. Error answers are read whole
 * before they are handed on, so a logged 429 is one the client did get (and not one that reached
 * it after its request timeout had already given up on it). Success bodies stream as they come.
 */
export function observedFetch(): { fetch: typeof fetch; exchanges: Exchange[] } {
  const exchanges: Exchange[] = [];
  const observed = async (input: Parameters<typeof fetch>[0], init?: RequestInit): Promise<Response> => {
    const href = input instanceof Request ? input.url : String(input);
    const method = init?.method ?? (input instanceof Request ? input.method : 'GET');
    const entry: Exchange = { method, path: new URL(href).pathname, sentAt: Date.now() };
    exchanges.push(entry);
    let response = await fetch(input, init);
    if (response.status >= 400) {
      const body = await response.arrayBuffer();
      response = new Response(body, {
        status: response.status,
        statusText: response.statusText,
        headers: response.headers,
      });
    }
    entry.status = response.status;
    entry.answeredAt = Date.now();
    return response;
  };
  return { fetch: observed as typeof fetch, exchanges };
}
