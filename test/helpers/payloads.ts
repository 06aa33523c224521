// Vendor payloads to damage, and the contract every outcome must keep: shared by the bad-input
// corpus and the property tests.
import {
  type BaseClient,
  createClient,
  isTaskState,
  isTerminal,
  ResponseValidationError,
  type TaskSnapshot,
  TaskwaitError,
} from '../../src/index.js';
import type { FakeTaskView } from '../../src/testing/server.js';
import type { VendorCase } from './reliability.js';

export const NOWHERE = 'http://127.0.0.1:9'; // never contacted: every answer comes from the test's fetch
export const AT = new Date('2024-06-07T12:00:00.000Z');

export type Client = BaseClient<unknown, TaskSnapshot> & Record<string, unknown>;

/** A fetch that answers every request with `body` (a function: a fresh body each time). */
export function answering(
  body: BodyInit | null | (() => BodyInit | null),
  init: { status?: number; headers?: Record<string, string> } = {},
): typeof fetch {
  return (async () =>
    new Response(typeof body === 'function' ? body() : body, {
      status: init.status ?? 200,
      headers: { 'content-type': 'application/json', ...init.headers },
    })) as typeof fetch;
}

/** A fetch that fails the test: a caller's mistake must be caught before any request. */
export const noRequest = (async () => {
  throw new Error('a request went out for a caller mistake');
}) as typeof fetch;

export function clientOf(vc: VendorCase, fetcher: typeof fetch, extra: object = {}): Client {
  return createClient(vc.vendor, {
    baseUrl: NOWHERE,
    token: vc.token,
    fetch: fetcher,
    retry: { retries: 0 },
    wait: { minDelayMs: 1, maxDelayMs: 2, timeoutMs: 2000 },
    ...extra,
  }) as unknown as Client;
}

/** Every (kind, reference) of a vendor, the first kind first. */
export function kindsOf(vc: VendorCase): { kind: string; ref: unknown }[] {
  return Object.keys(vc.fake.kinds).map((kind) => ({ kind, ref: vc.fake.ref(kind, vc.id(4242)) }));
}

/** The reference of a task of the vendor's first kind. */
export function firstRef(vc: VendorCase): unknown {
  return vc.fake.ref(Object.keys(vc.fake.kinds)[0] as string, vc.id(4242));
}

/** The vendor's own payloads for a task of `kind`: running, and each way it can end. */
export function payloadsOf(vc: VendorCase, kind: string): { state: string; body: unknown }[] {
  const out: { state: string; body: unknown }[] = [];
  for (const state of ['running', 'succeeded', 'partial', 'failed', 'canceled'] as const) {
    const view: FakeTaskView = {
      id: vc.id(4242),
      state,
      progress: 0.5,
      error: 'the import broke',
      failedItems: 1,
      totalItems: 10,
      createdAt: AT,
      updatedAt: AT,
      completedAt: isTerminal(state) ? AT : undefined,
      eta: AT,
      poll: 3,
    };
    try {
      out.push({ state, body: vc.fake.kinds[kind]?.render(view) });
    } catch {
      // This kind can't say that state.
    }
  }
  return out;
}

export type Path = (string | number)[];

/** Paths to every node of a JSON value (arrays: their first element), the root left out. */
export function pathsOf(value: unknown, at: Path = [], depth = 0): Path[] {
  if (depth > 8 || value === null || typeof value !== 'object') return [];
  const entries: [string | number, unknown][] = Array.isArray(value)
    ? value.slice(0, 1).map((v, i) => [i, v])
    : Object.entries(value);
  return entries.flatMap(([key, child]) => [[...at, key], ...pathsOf(child, [...at, key], depth + 1)]);
}

export function getAt(value: unknown, path: Path): unknown {
  return path.reduce<unknown>((node, key) => (node as Record<string | number, unknown>)?.[key], value);
}

/** A copy of `value` with the node at `path` replaced (or removed, for `REMOVE`). */
export function setAt(value: unknown, path: Path, replacement: unknown): unknown {
  const copy = structuredClone(value) as Record<string | number, unknown>;
  const parent = getAt(copy, path.slice(0, -1)) as Record<string | number, unknown> | unknown[];
  const key = path[path.length - 1] as string | number;
  if (replacement === REMOVE) {
    if (Array.isArray(parent)) parent.splice(key as number, 1);
    else delete parent[key];
  } else {
    (parent as Record<string | number, unknown>)[key] = replacement;
  }
  return copy;
}

export const REMOVE = Symbol('remove');

/** Why an outcome breaks the contract, or undefined when it keeps it. */
export function breach(vc: VendorCase, outcome: { snapshot?: TaskSnapshot; error?: unknown }): string | undefined {
  const { snapshot, error } = outcome;
  if (snapshot) {
    if (!isTaskState(snapshot.state)) return `state ${String(snapshot.state)}`;
    if (snapshot.terminal !== isTerminal(snapshot.state)) return 'terminal does not match the state';
    if (snapshot.vendor !== vc.name || typeof snapshot.rawStatus !== 'string') return 'vendor or rawStatus';
    if (typeof snapshot.id !== 'string' || snapshot.id === '') return `id ${String(snapshot.id)}`;
    if (snapshot.progress !== undefined && !(snapshot.progress >= 0 && snapshot.progress <= 1)) {
      return `progress ${snapshot.progress}`;
    }
    for (const key of ['createdAt', 'updatedAt', 'completedAt', 'eta'] as const) {
      const value = snapshot[key];
      if (value !== undefined && !(typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T.*Z$/.test(value))) {
        return `${key} ${String(value)}`;
      }
    }
    if (snapshot.error && (typeof snapshot.error.message !== 'string' || snapshot.error.message === '')) {
      return 'error without a message';
    }
    if (snapshot.error?.code !== undefined && typeof snapshot.error.code !== 'string') return 'error.code';
    try {
      JSON.parse(JSON.stringify(snapshot));
    } catch (e) {
      return `the snapshot does not survive JSON.stringify: ${(e as Error).message}`;
    }
    return undefined;
  }
  if (!(error instanceof TaskwaitError)) {
    return `${(error as Error)?.name ?? typeof error}: ${(error as Error)?.message ?? String(error)}`;
  }
  if (!error.message.includes(vc.name)) return `the message does not name the vendor: ${error.message}`;
  if (error instanceof ResponseValidationError) {
    if (!error.message.includes(error.model)) return `the message does not name the model: ${error.message}`;
    if (error.reason === 'schema') {
      const first = error.issues[0];
      const where = first && first.path.length > 0 ? first.path.join('.') : '(body)';
      if (!first || !error.message.includes(where)) return `the message does not say where: ${error.message}`;
    }
  }
  return undefined;
}

/** Runs `call` bounded: a hang is a failure, not a stuck suite. */
export async function outcomeOf(call: (signal: AbortSignal) => Promise<TaskSnapshot>) {
  const signal = AbortSignal.timeout(5000);
  try {
    return { snapshot: await call(signal) };
  } catch (error) {
    if (error === signal.reason) return { error: new Error('hung: no answer within 5 s') };
    return { error };
  }
}
