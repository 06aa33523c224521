/**
 * The conformance harness. The published schema is the oracle: Ajv decides whether a payload is
 * valid, and the SDK has to agree.
 *
 * - A payload the schema accepts must end in a snapshot (a task), every one of its items yielded
 *   (a list page), or the created task's reference (a start). Nothing the spec allows may be a
 *   `ResponseValidationError`; the one exception is a created task with no id at all, which the
 *   SDK cannot wait on, and which is counted apart.
 * - A payload the schema rejects may end either way: a snapshot, or a typed `TaskwaitError` (a
 *   `ResponseValidationError`, or a `PagingError` for a page that leads nowhere). Never another
 *   error, and never a hang.
 *
 * The payloads: `count` sampled by json-schema-faker (seeded), the spec's own examples and real
 * payloads, and their mutants (see `./mutants.ts`): each optional key pruned at every depth, one
 * at a time and in random sets; every union varied (each enum value, `null` where nullable, each
 * `anyOf`/`oneOf` branch, both booleans); and broken ones. Each goes to the client through an
 * injected `fetch`, so it crosses the whole client: the HTTP layer, the Zod schema and the
 * normalizer. The figures of each model are printed when its file ends.
 */
import { afterAll, describe, expect, it } from 'vitest';
import {
  createClient,
  isTerminal,
  PagingError,
  ResponseValidationError,
  TASK_STATES,
  type TaskSnapshot,
  type TaskState,
  TaskwaitError,
  type Vendor,
} from '../../src/index.js';
import { familyOf, type Mutant, type MutantBudget, mutants } from './mutants.js';
import { conforms, type Json, type JsonPath, type JsonSchema, type SpecDocument, sample } from './spec.js';

export type { Json, JsonPath, JsonSchema };

// biome-ignore lint/suspicious/noExplicitAny: a client of any vendor, whose methods a case calls
type AnyClient = any;

interface BaseCase {
  vendor: Vendor;
  /** The model's name in the spec, and where it is served, for test names and figures. */
  name: string;
  document: SpecDocument;
  /** The published JSON schema of the response body. */
  schema: JsonSchema;
  /** The spec's own examples, and real payloads. */
  examples?: readonly Json[];
  count: number;
  seed: number;
  budget?: Partial<MutantBudget>;
  /** The path the client must ask for first. */
  path: string;
}

/** A task resource, fetched with `client.get(ref)`. */
export interface TaskCase extends BaseCase {
  type: 'task';
  /** The snapshot's `kind`. */
  kind: string;
  ref: unknown;
  /** The id the snapshot must carry when the payload has none. */
  refId: string;
  /** Where the payload's status and id sit. */
  statusAt: JsonPath;
  idAt: JsonPath;
  /** The canonical states a valid payload may have: its status's documented state, or a rule's. */
  states(payload: Json): readonly TaskState[];
}

/** A list page, walked with one of the client's list methods. */
export interface ListCase extends BaseCase {
  type: 'list';
  walk(client: AnyClient): AsyncIterable<unknown>;
  /** The items a page holds. */
  items(payload: Json): readonly Json[];
  /** The page served after the first (the list's end), for the URL asked. */
  after(url: URL): Json;
}

/** The answer to a request that starts a task, through `client.start()` and the like. */
export interface CreateCase extends BaseCase {
  type: 'create';
  start(client: AnyClient): Promise<{ taskId: string }>;
  /** The id a valid answer names, or undefined when it names none. */
  idOf(payload: Json): string | undefined;
}

export type ConformanceCase = TaskCase | ListCase | CreateCase;

/**
 * `TASKWAIT_CONFORMANCE=full` (`npm run test:conformance`) samples four times the payloads and
 * covers each site in more of them; `npm test` runs the default, which still meets every site.
 */
const FULL = process.env.TASKWAIT_CONFORMANCE === 'full';
const BUDGET: MutantBudget = { prunes: 2, pruneSets: 1, variants: 1, perSite: 1 };
const FULL_BUDGET: MutantBudget = { prunes: 12, pruneSets: 3, variants: 8, perSite: 3 };

/** A client of `vendor` whose `fetch` answers the first request with `first`, and later ones with `after`. */
function feeder(vendor: Vendor) {
  let first: Json = null;
  let after: ((url: URL) => Json) | undefined;
  const paths: string[] = [];
  const fetch = async (input: RequestInfo | URL) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    paths.push(url.pathname);
    const body = paths.length === 1 || !after ? first : after(url);
    return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
  };
  const client = createClient(vendor, { token: 'conformance-token', fetch, retry: { retries: 0 }, rateLimit: false });
  return {
    client,
    paths,
    /** Serves `payload` first (and `next` after), and runs `use`; the result or the error, never a hang. */
    async run<T>(payload: Json, next: ((url: URL) => Json) | undefined, use: () => Promise<T>) {
      first = payload;
      after = next;
      paths.length = 0;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const hang = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('hung: no answer within 5 s')), 5000);
      });
      try {
        return { value: await Promise.race([use(), hang]) };
      } catch (error) {
        return { error };
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
type Feeder = ReturnType<typeof feeder>;

const valueAt = (root: unknown, path: JsonPath): unknown =>
  path.reduce<unknown>(
    (node, key) =>
      node !== null && typeof node === 'object' ? (node as Record<string | number, unknown>)[key] : undefined,
    root,
  );

/** The invariants every snapshot of a valid task payload keeps. */
function expectSnapshot(c: TaskCase, snapshot: TaskSnapshot, payload: Json): void {
  const status = valueAt(payload, c.statusAt);
  const id = valueAt(payload, c.idAt);
  expect(snapshot.vendor).toBe(c.vendor.name);
  expect(snapshot.kind).toBe(c.kind);
  expect(snapshot.id).toBe(typeof id === 'string' && id !== '' ? id : c.refId);
  expect(TASK_STATES).toContain(snapshot.state);
  expect(c.states(payload)).toContain(snapshot.state);
  expect(snapshot.rawStatus).toBe(typeof status === 'string' ? status : '');
  expectWellFormed(snapshot);
  expect(snapshot.raw).toEqual(payload);
}

/** What any snapshot keeps, whatever the payload. */
function expectWellFormed(snapshot: TaskSnapshot): void {
  expect(snapshot.terminal).toBe(isTerminal(snapshot.state));
  if (snapshot.progress !== undefined) {
    expect(Number.isFinite(snapshot.progress)).toBe(true);
    expect(snapshot.progress).toBeGreaterThanOrEqual(0);
    expect(snapshot.progress).toBeLessThanOrEqual(1);
  }
  for (const key of ['createdAt', 'updatedAt', 'completedAt', 'eta'] as const) {
    const value = snapshot[key];
    if (value !== undefined) expect(new Date(value).toISOString()).toBe(value);
  }
  if (snapshot.error !== undefined) expect(snapshot.error.message.trim()).not.toBe('');
  expect(JSON.parse(JSON.stringify(snapshot))).toStrictEqual(snapshot);
}

/** How one payload ended. */
type Outcome =
  | 'accepted' // valid, and read as the spec allows
  | 'rejected' // valid, and refused: a failure
  | 'needs-id' // valid, but a created task without any id
  | 'snapshot' // invalid, and read anyway
  | 'typed-error'; // invalid, and refused with a TaskwaitError

/** Runs one payload; throws when the outcome is not one its validity allows. */
async function check(c: ConformanceCase, feed: Feeder, payload: Json, valid: boolean): Promise<Outcome> {
  const shown = () => JSON.stringify(payload).slice(0, 600);
  const fail = (what: string, error?: unknown): never => {
    const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error ?? '');
    throw new Error(`${what}${detail ? `\n  ${detail}` : ''}\n  payload: ${shown()}`);
  };
  const outside = (value: unknown, error: unknown): Outcome => {
    if (error === undefined) return 'snapshot';
    if (!(error instanceof TaskwaitError))
      fail('an invalid payload crashed the client instead of a typed error', error);
    if (error instanceof ResponseValidationError) {
      for (const issue of error.issues) expect(issue.message).not.toMatch(/^could not be normalized/);
    }
    void value;
    return 'typed-error';
  };

  if (c.type === 'task') {
    const { value, error } = await feed.run(payload, undefined, () => feed.client.get(c.ref));
    expect(feed.paths[0]).toBe(c.path);
    if (!valid) {
      if (value) expectWellFormed(value as TaskSnapshot);
      return outside(value, error);
    }
    if (error instanceof ResponseValidationError) fail('a spec-valid payload was rejected', error);
    if (error !== undefined) fail('a spec-valid payload failed', error);
    expectSnapshot(c, value as TaskSnapshot, payload);
    return 'accepted';
  }

  if (c.type === 'list') {
    const seen: unknown[] = [];
    const { error } = await feed.run(payload, c.after, async () => {
      for await (const item of c.walk(feed.client)) seen.push(item);
    });
    expect(feed.paths[0]).toBe(c.path);
    if (!valid) return outside(seen, error);
    if (error instanceof ResponseValidationError) fail('a spec-valid page was rejected', error);
    if (error !== undefined && !(error instanceof PagingError)) fail('a spec-valid page failed', error);
    const items = c.items(payload);
    if (seen.length < items.length) fail(`only ${seen.length} of the page's ${items.length} items were yielded`, error);
    expect(seen.slice(0, items.length)).toEqual(items);
    return 'accepted';
  }

  const { value, error } = await feed.run(payload, undefined, () => c.start(feed.client));
  expect(feed.paths[0]).toBe(c.path);
  if (!valid) return outside(value, error);
  const id = c.idOf(payload);
  if (id === undefined) {
    // The SDK cannot wait on a task it has no id for: the one thing it may refuse.
    if (!(error instanceof ResponseValidationError)) fail('a created task without an id did not say so', error);
    expect((error as ResponseValidationError).issues.at(-1)?.path.at(-1)).toBe('taskId');
    return 'needs-id';
  }
  if (error !== undefined) fail('a spec-valid answer was rejected', error);
  expect((value as { taskId: string }).taskId).toBe(id);
  return 'accepted';
}

/** The figures of one model, as printed. */
interface Figures {
  generated: number;
  examples: number;
  pruned: number;
  variants: number;
  broken: number;
  valid: number;
  rejected: number;
  needsId: number;
  invalid: number;
  invalidRead: number;
  invalidRefused: number;
}

/**
 * The conformance tests of one model: `count` sampled payloads, the spec's examples, and their
 * mutants. The figures are in the test names and printed when the file ends.
 */
export function describeConformance(c: ConformanceCase): void {
  // Real payloads may break the spec (a constructed one with epoch-ms dates): they are checked as such.
  const examples = (c.examples ?? []).filter((p) => conforms(c.document, c.schema, p));
  const outsideExamples = (c.examples ?? []).filter((p) => !conforms(c.document, c.schema, p));
  const generated = sample(c.document, c.schema, FULL ? c.count * 4 : c.count, c.seed);
  const budget: MutantBudget = { ...(FULL ? FULL_BUDGET : BUDGET), ...c.budget };
  const sources = [...examples, ...generated.filter((p) => conforms(c.document, c.schema, p))];
  const all = mutants(c.document, c.schema, sources, budget, c.seed);
  const count = (family: string, valid: boolean) =>
    all.filter((m) => familyOf(m.op) === family && m.valid === valid).length;
  const validMutants = all.filter((m) => m.valid);
  const invalidMutants = [
    ...outsideExamples.map(
      (payload) => ({ op: 'example', site: '(body)', payload, valid: false }) as unknown as Mutant,
    ),
    ...all.filter((m) => !m.valid),
  ];
  const figures: Figures = {
    generated: generated.length,
    examples: examples.length,
    pruned: count('pruned', true),
    variants: count('union', true),
    broken: count('broken', true),
    valid: sources.length + validMutants.length,
    rejected: 0,
    needsId: 0,
    invalid: invalidMutants.length,
    invalidRead: 0,
    invalidRefused: 0,
  };
  const feed = feeder(c.vendor);

  // Every payload runs; failures are reported once per (op, site), so that one cause shows once.
  const run = async (list: readonly Pick<Mutant, 'op' | 'site' | 'payload' | 'valid'>[]) => {
    const failures = new Map<string, string>();
    for (const m of list) {
      try {
        const outcome = await check(c, feed, m.payload, m.valid);
        if (outcome === 'needs-id') figures.needsId += 1;
        if (outcome === 'snapshot') figures.invalidRead += 1;
        if (outcome === 'typed-error') figures.invalidRefused += 1;
      } catch (error) {
        if (m.valid) figures.rejected += 1;
        const key = `${m.op} ${m.site}`;
        if (!failures.has(key)) failures.set(key, `${key}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    if (failures.size > 0) {
      throw new Error(
        `${failures.size} (op, site) pairs failed:\n\n${[...failures.values()].slice(0, 8).join('\n\n')}`,
      );
    }
  };
  const asIs = (payload: Json, op: string) => ({ op, site: '(body)', payload, valid: true }) as unknown as Mutant;

  describe(`${c.vendor.name} ${c.name} at ${c.path}, against its published schema (seed ${c.seed})`, () => {
    afterAll(() => {
      const f = figures;
      console.info(
        `conformance ${c.vendor.name} ${c.name}: ${f.generated} generated, ${f.examples} examples, ` +
          `${f.pruned} pruned, ${f.variants} union variants, ${f.broken} other valid mutants; ` +
          `spec-valid ${f.valid}: rejected ${f.rejected} (goal 0)` +
          (c.type === 'create' ? `, ${f.needsId} without any task id (refused by design)` : '') +
          `; spec-invalid ${f.invalid}: ${f.invalidRead} read, ${f.invalidRefused} typed errors, 0 crashes or hangs`,
      );
    });

    it(`the ${generated.length} generated payloads are valid under the schema (and ${examples.length} of ${examples.length + outsideExamples.length} examples)`, () => {
      expect(generated.filter((p) => !conforms(c.document, c.schema, p)).map((p) => JSON.stringify(p))).toEqual([]);
    });

    it(`the ${sources.length} generated payloads and examples are read`, () =>
      run(sources.map((p, i) => asIs(p, i < examples.length ? 'example' : 'generated'))));

    it(`${figures.pruned} pruned payloads the schema accepts are read (optional keys removed at every depth)`, () =>
      run(validMutants.filter((m) => familyOf(m.op) === 'pruned')));

    it(`${figures.variants} union variants the schema accepts are read (enum values, null, branches, booleans)`, () =>
      run(validMutants.filter((m) => familyOf(m.op) === 'union')));

    // A snapshot's raw equals its payload, so an extra field is kept, at any depth.
    it(`${figures.broken} other mutants the schema accepts are read, extra fields kept`, () =>
      run(validMutants.filter((m) => familyOf(m.op) === 'broken')));

    it(`${invalidMutants.length} mutants the schema rejects end in a snapshot or a typed error, never a crash or a hang`, () =>
      run(invalidMutants));
  });
}
