/**
 * The conformance harness. Payloads are sampled from a vendor's published JSON schema by
 * json-schema-faker (seeded), mutated one site at a time, and judged by the same schema with Ajv.
 * Each one goes to `client.get()` through an injected `fetch`, so it crosses the whole client:
 * the HTTP layer, the Zod schema and the normalizer.
 *
 * - Inside the schema: it must parse, and the snapshot must keep the lifecycle's invariants.
 * - Outside it: a `ResponseValidationError` that names the vendor, the model and the path, or a
 *   tolerant result the model declares (an unknown enum value is kept, an unknown status is
 *   `unknown`). Nothing else: no `TypeError`, no snapshot the model doesn't account for.
 * - Where an adapter requires more than the published schema, it says so as a JSON schema of its
 *   own (`narrowing`, with a `description` of why at each rule), and a payload inside the
 *   published schema but outside the narrowing must be rejected.
 *
 * The spec extracts in `./specs/` are copies of `../shared/specs/` (its README names the upstream
 * files and commits), formatted.
 */
import { readFileSync } from 'node:fs';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { createGeneratorSync, type JsonSchema, type Random } from 'json-schema-faker';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createClient,
  isTerminal,
  ResponseValidationError,
  TASK_STATES,
  type TaskSnapshot,
  type TaskState,
  type Vendor,
} from '../../src/index.js';

export type { JsonSchema };
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonPath = readonly (string | number)[];

/** A spec extract as one document, so that its `#/components/...` references resolve inside it. */
export interface SpecDocument {
  components: Record<string, unknown>;
}

/** Reads `./specs/<vendor>/<file>`. Mixpeek's extract is the schemas map itself; the others hold `schemas`. */
export function specDocument(vendor: string, file: string): SpecDocument {
  const extract = JSON.parse(readFileSync(new URL(`./specs/${vendor}/${file}`, import.meta.url), 'utf8'));
  return { components: 'schemas' in extract ? extract : { schemas: extract } };
}

/** A real payload saved under `test/fixtures/<vendor>/`. */
export function fixture(vendor: string, name: string): Json {
  return JSON.parse(readFileSync(new URL(`../fixtures/${vendor}/${name}`, import.meta.url), 'utf8'));
}

/**
 * `document` with `defs` beside its components, so that a narrowing can name (and recurse into)
 * its own definitions as `#/components/narrowing/<name>`.
 */
export function withNarrowingDefs(document: SpecDocument, defs: Record<string, JsonSchema>): SpecDocument {
  return { components: { ...document.components, narrowing: defs } };
}

/** `#/components/schemas/<name>` of a spec document. */
export const schemaRef = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });

// ---------------------------------------------------------------------------------------------
// Sampling and judging

// Date-times in the forms the vendors publish, not only RFC 3339: Postman's own examples are
// "2019-02-12 19:34:49" and "2023-08-22 14:21:57+00:00". `toIso` documents all of these.
function dateTime(random: Random): string {
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  const date = `${random.int(1990, 2040)}-${pad(random.int(1, 12))}-${pad(random.int(1, 28))}`;
  const time = `${pad(random.int(0, 23))}:${pad(random.int(0, 59))}:${pad(random.int(0, 59))}`;
  const zone = `${random.bool() ? '+' : '-'}${pad(random.int(0, 14))}:${random.pick(['00', '30', '45'])}`;
  return random.pick([
    `${date}T${time}Z`,
    `${date}T${time}.${pad(random.int(0, 999), 3)}Z`,
    `${date}T${time}${zone}`,
    `${date} ${time}`,
    `${date} ${time}+00:00`,
  ]);
}

const withComponents = (document: SpecDocument, schema: JsonSchema) => ({
  ...(schema as object),
  components: document.components,
});

/**
 * `count` payloads valid under `schema`: half with each optional property at even odds, half with
 * every optional property present. Deterministic for a given seed.
 */
export function sample(document: SpecDocument, schema: JsonSchema, count: number, seed: number): Json[] {
  const root = withComponents(document, schema);
  const formats = { 'date-time': dateTime };
  const sparse = createGeneratorSync({ seed, formats, maxDefaultItems: 3 });
  const full = createGeneratorSync({ seed: seed + count, formats, maxDefaultItems: 3, alwaysFakeOptionals: true });
  return Array.from({ length: count }, (_, i) => (i % 2 === 0 ? sparse : full).generate(root) as Json);
}

// `format` is an annotation here, as JSON Schema 2020-12 has it by default: the vendors' own
// examples break RFC 3339, and the SDK takes them.
const ajv = new Ajv2020({ strict: false, validateFormats: false });
const validators = new WeakMap<object, ValidateFunction>();

/** Whether `value` is valid under `schema`, whose references resolve in `document`. */
export function conforms(document: SpecDocument, schema: JsonSchema, value: unknown): boolean {
  let validate = validators.get(schema as object);
  if (!validate) {
    validate = ajv.compile(withComponents(document, schema));
    validators.set(schema as object, validate);
  }
  return validate(value) === true;
}

/**
 * Where a payload stands: outside the published schema, inside it but outside what the adapter
 * requires besides (`narrowed`), or inside both.
 */
export type Verdict = 'outside' | 'narrowed' | 'inside';

export function judge(c: Pick<ModelCase, 'document' | 'schema' | 'narrowing'>, value: unknown): Verdict {
  if (!conforms(c.document, c.schema, value)) return 'outside';
  if (c.narrowing && !conforms(c.document, c.narrowing, value)) return 'narrowed';
  return 'inside';
}

// ---------------------------------------------------------------------------------------------
// Mutants

/** How a mutant was made from a valid payload; `as-generated` for a sampled payload itself. */
export type MutationOp =
  | 'as-generated'
  | 'drop'
  | 'null'
  | 'wrong-type'
  | 'unknown-value'
  | 'extra-field'
  | 'negative-number'
  | 'huge-number';

export interface Mutant {
  op: MutationOp;
  /** Where the payload was changed. */
  path: JsonPath;
  /** `path` with array indices as `*`, e.g. `inputs.*`; `(body)` for the body itself. */
  site: string;
  payload: Json;
  verdict: Verdict;
}

/** An unknown enum value, or a string where the schema has a pattern. */
export const UNKNOWN_VALUE = 'NOT_A_DOCUMENTED_VALUE';
/** The field `extra-field` adds to an object. */
export const EXTRA_FIELD = 'x_conformance_extra';

export const siteOf = (path: JsonPath): string =>
  path.length === 0 ? '(body)' : path.map((p) => (typeof p === 'number' ? '*' : p)).join('.');

function wrongType(value: Json): Json {
  if (typeof value === 'string') return 12345;
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return value ? 'true' : 0;
  // An array where an object is documented: `typeof` alone can't tell them apart.
  if (Array.isArray(value)) return { length: value.length };
  if (value === null) return true;
  return [value];
}

function* nodes(value: Json, path: JsonPath = []): Generator<[JsonPath, Json]> {
  yield [path, value];
  if (Array.isArray(value)) for (const [i, item] of value.entries()) yield* nodes(item, [...path, i]);
  else if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) yield* nodes(item, [...path, key]);
  }
}

/** A copy of `root` with the value at `path` replaced, or deleted when `replacement` is undefined. */
function edit(root: Json, path: JsonPath, replacement: Json | undefined): Json {
  if (path.length === 0) return replacement ?? null;
  const copy = structuredClone(root);
  let parent = copy as Record<string | number, Json>;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, Json>;
  const key = path[path.length - 1] as string | number;
  if (replacement === undefined) delete parent[key];
  else parent[key] = replacement;
  return copy;
}

// Each mutant is made only when it is wanted: most (op, site) pairs fill up early.
function* mutate(payload: Json): Generator<{ op: MutationOp; path: JsonPath; make(): Json }> {
  for (const [path, value] of nodes(payload)) {
    const at = (op: MutationOp, replacement: Json | undefined) => ({
      op,
      path,
      make: () => edit(payload, path, replacement),
    });
    if (typeof path[path.length - 1] === 'string') yield at('drop', undefined);
    if (value !== null) yield at('null', null);
    yield at('wrong-type', wrongType(value));
    if (typeof value === 'string' && value !== UNKNOWN_VALUE) yield at('unknown-value', UNKNOWN_VALUE);
    // Numbers at the edges: a progress or tier below zero or far past its total, a date past `Date`'s range.
    if (typeof value === 'number') {
      yield at('negative-number', -1);
      yield at('huge-number', Number.MAX_SAFE_INTEGER);
    }
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      yield at('extra-field', { ...value, [EXTRA_FIELD]: 'kept' });
    }
  }
}

/**
 * Mutants of `payloads`, one change each, judged. Every (op, site) pair met in the payloads is
 * covered, by at most `perSite` mutants, each from a different payload.
 */
export function mutants(c: ModelCase, payloads: readonly Json[], perSite: number): Mutant[] {
  const taken = new Map<string, number>();
  const seen = new Set<string>();
  const out: Mutant[] = [];
  for (const payload of payloads) {
    const usedHere = new Set<string>();
    for (const mutant of mutate(payload)) {
      const site = siteOf(mutant.path);
      const key = `${mutant.op} ${site}`;
      const count = taken.get(key) ?? 0;
      if (count >= perSite || usedHere.has(key)) continue;
      const changed = mutant.make();
      const text = JSON.stringify(changed);
      if (seen.has(text)) continue;
      seen.add(text);
      usedHere.add(key);
      taken.set(key, count + 1);
      out.push({ op: mutant.op, path: mutant.path, site, payload: changed, verdict: judge(c, changed) });
    }
  }
  return out;
}

export function valueAt(root: unknown, path: JsonPath): unknown {
  let node = root;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string | number, unknown>)[key];
  }
  return node;
}

const startsWith = (path: JsonPath, prefix: JsonPath) => prefix.every((key, i) => path[i] === key);

// ---------------------------------------------------------------------------------------------
// The client and the checks

/** A client of `vendor` whose `fetch` answers every request with the body it is given. */
export function feeder(vendor: Vendor) {
  let body: Json = null;
  const paths: string[] = [];
  const fetch = async (input: RequestInfo | URL) => {
    const url = input instanceof Request ? input.url : String(input);
    paths.push(new URL(url).pathname);
    return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
  };
  // Hundreds of reads of a fake: not paced to the vendor's real rate limit.
  const client = createClient(vendor, { token: 'conformance-token', fetch, retry: { retries: 0 }, rateLimit: false });
  return {
    /** Fetches `payload` as the task `ref` names: the snapshot or the error, and the path asked for. */
    async get(ref: unknown, payload: Json): Promise<{ snapshot?: TaskSnapshot; error?: unknown; path?: string }> {
      body = payload;
      paths.length = 0;
      try {
        const snapshot = (await client.get(ref as never)) as TaskSnapshot;
        return { snapshot, path: paths[0] };
      } catch (error) {
        return { error, path: paths[0] };
      }
    },
  };
}
type Feeder = ReturnType<typeof feeder>;

/** What a model's conformance run needs to know about the adapter. */
export interface ModelCase {
  vendor: Vendor;
  /** The model's name in the spec, for test names. */
  specModel: string;
  /** The model's name in the adapter (`TaskKind.model`), as validation errors give it. */
  model: string;
  /** The snapshot's `kind`. */
  kind: string;
  document: SpecDocument;
  /** The published JSON schema of the task resource's body. */
  schema: JsonSchema;
  /**
   * What the adapter requires beyond `schema`, as a JSON schema; a `description` at each rule
   * says why. References resolve in `document`.
   */
  narrowing?: JsonSchema;
  /** The task reference passed to `client.get()`, and the path the client must then ask for. */
  ref: unknown;
  path: string;
  /** The id the snapshot must carry when the payload has none. */
  refId: string;
  /** Where the payload's status and id sit. */
  statusAt: JsonPath;
  idAt: JsonPath;
  /** The canonical states a valid payload may have: its status's documented state, or a rule's. */
  states(payload: Json): readonly TaskState[];
  /** Sites whose `unknown-value` mutants are open enums, besides the status. */
  openEnums?: readonly string[];
  /** Changes outside the schema that the adapter accepts on purpose, each with its reason. */
  tolerated?: readonly Rule[];
}

export interface Rule {
  ops: readonly MutationOp[];
  /** A site (`siteOf`), or a pattern of sites. */
  site: string | RegExp;
  /** Only for mutants this holds of. */
  when?(payload: Json): boolean;
  why: string;
}

const matches = (rules: readonly Rule[] | undefined, mutant: Mutant) =>
  rules?.some(
    (r) =>
      r.ops.includes(mutant.op) &&
      (typeof r.site === 'string' ? r.site === mutant.site : r.site.test(mutant.site)) &&
      (r.when?.(mutant.payload) ?? true),
  ) ?? false;

/** The invariants every snapshot of a valid payload keeps. */
export function expectSnapshot(c: ModelCase, snapshot: TaskSnapshot, payload: Json): void {
  const status = valueAt(payload, c.statusAt);
  const id = valueAt(payload, c.idAt);
  expect(snapshot.vendor).toBe(c.vendor.name);
  expect(snapshot.kind).toBe(c.kind);
  expect(snapshot.id).toBe(typeof id === 'string' && id !== '' ? id : c.refId);
  expect(TASK_STATES).toContain(snapshot.state);
  expect(c.states(payload)).toContain(snapshot.state);
  expect(snapshot.terminal).toBe(isTerminal(snapshot.state));
  expect(snapshot.rawStatus).toBe(typeof status === 'string' ? status : '');
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
  expect(snapshot.raw).toMatchObject(payload as object);
  expect(JSON.parse(JSON.stringify(snapshot))).toStrictEqual(snapshot);
}

/** Fetches a valid payload and checks its snapshot. */
export async function expectConforms(c: ModelCase, feed: Feeder, payload: Json): Promise<void> {
  const { snapshot, error, path } = await feed.get(c.ref, payload);
  expect(path).toBe(c.path);
  if (!snapshot) throw new Error(`failed: ${explain(error)}\n${JSON.stringify(payload)}`);
  expectSnapshot(c, snapshot, payload);
}

/** What a mutant led to. */
export type Outcome = 'snapshot' | 'rejected' | 'tolerated';

/** Fetches a mutant and checks that the client's answer is one its verdict allows. */
export async function expectMutant(c: ModelCase, feed: Feeder, mutant: Mutant): Promise<Outcome> {
  const { snapshot, error } = await feed.get(c.ref, mutant.payload);
  const context = `${mutant.op} at ${mutant.site} (${mutant.verdict}): ${JSON.stringify(mutant.payload)}`;
  if (mutant.verdict === 'inside') {
    if (!snapshot) throw new Error(`${context}\nfailed: ${explain(error)}`);
    expectSnapshot(c, snapshot, mutant.payload);
    if (mutant.op === 'extra-field') expect(valueAt(snapshot.raw, [...mutant.path, EXTRA_FIELD])).toBe('kept');
    return 'snapshot';
  }
  if (!snapshot) {
    expectRejected(c, error, mutant, context);
    return 'rejected';
  }
  if (mutant.verdict === 'narrowed' || !(toleratedUnknown(c, mutant) || matches(c.tolerated, mutant))) {
    throw new Error(`${context}\nwas accepted: ${JSON.stringify(snapshot)}`);
  }
  // Tolerated: the snapshot is still well-formed, and keeps what was sent.
  expect(snapshot.terminal, context).toBe(isTerminal(snapshot.state));
  expect(snapshot.raw, context).toMatchObject(mutant.payload as object);
  expect(JSON.parse(JSON.stringify(snapshot))).toStrictEqual(snapshot);
  if (mutant.op === 'unknown-value' && mutant.site === siteOf(c.statusAt)) {
    expect(snapshot.rawStatus, context).toBe(UNKNOWN_VALUE);
    expect(snapshot.state, context).toBe('unknown');
  }
  return 'tolerated';
}

const toleratedUnknown = (c: ModelCase, mutant: Mutant) =>
  mutant.op === 'unknown-value' && (mutant.site === siteOf(c.statusAt) || (c.openEnums ?? []).includes(mutant.site));

function expectRejected(c: ModelCase, error: unknown, mutant: Mutant, context: string): void {
  if (!(error instanceof ResponseValidationError)) {
    throw new Error(`${context}\nexpected a ResponseValidationError, got ${explain(error)}`);
  }
  expect(error.vendor).toBe(c.vendor.name);
  expect(error.model).toBe(c.model);
  expect(error.reason).toBe('schema');
  expect(error.message).toContain(c.vendor.name);
  expect(error.message).toContain(c.model);
  // A normalizer that throws on a payload its schema let through is a bug, not a validation error.
  for (const issue of error.issues) expect(issue.message, context).not.toMatch(/^could not be normalized/);
  // An issue points at the change, or at the union or object that holds it, and the message names it.
  const related = error.issues.filter((i) => startsWith(mutant.path, i.path) || startsWith(i.path, mutant.path));
  expect(related.length, `${context}\nissues: ${JSON.stringify(error.issues)}`).toBeGreaterThan(0);
  const named = related.map((i) => (i.path.length ? i.path.join('.') : '(body)'));
  expect(
    named.some((name) => error.message.includes(name)),
    context,
  ).toBe(true);
}

function explain(error: unknown): string {
  if (error instanceof ResponseValidationError) return `${error.name}: ${error.message}`;
  return error instanceof Error ? `${error.name}: ${error.message}\n${error.stack}` : String(error);
}

// ---------------------------------------------------------------------------------------------
// The tests

/**
 * The conformance tests of one model: `count` sampled payloads, the spec's own examples, and their
 * mutants. The counts are in the test names; the outcomes are logged when the file ends.
 */
export function describeConformance(
  c: ModelCase,
  options: { count: number; seed: number; perSite?: number; examples?: readonly Json[] },
): void {
  const examples = options.examples ?? [];
  const generated = sample(c.document, c.schema, options.count, options.seed);
  const verdicts = generated.map((p) => judge(c, p));
  const parsed = generated.filter((_, i) => verdicts[i] === 'inside');
  const rejected = generated.filter((_, i) => verdicts[i] === 'narrowed');
  // Mutants are made of valid payloads, the spec's examples first: they carry fields a sampler
  // leaves out.
  const list = mutants(c, [...examples, ...parsed], options.perSite ?? 6);
  const group = (verdict: Verdict) => list.filter((m) => m.verdict === verdict);
  const [outside, narrowed, inside] = [group('outside'), group('narrowed'), group('inside')];
  const outcomes = new Map<Outcome, number>();
  const feed = feeder(c.vendor);

  // Every payload runs; failures are reported once per (op, site), so that one cause shows once.
  const run = async (mutantsOf: readonly Mutant[]) => {
    const failures = new Map<string, string>();
    for (const mutant of mutantsOf) {
      try {
        const outcome = await expectMutant(c, feed, mutant);
        outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
      } catch (error) {
        const key = `${mutant.op} ${mutant.site}`;
        if (!failures.has(key)) failures.set(key, error instanceof Error ? error.message : String(error));
      }
    }
    if (failures.size > 0) {
      throw new Error(`${failures.size} (op, site) pairs failed:\n\n${[...failures.values()].join('\n\n')}`);
    }
  };
  const asIs = (payload: Json): Mutant => ({
    op: 'as-generated',
    path: [],
    site: '(body)',
    payload,
    verdict: 'narrowed',
  });

  describe(`${c.vendor.name} ${c.specModel} at ${c.path}, against its published JSON schema (seed ${options.seed})`, () => {
    afterAll(() => {
      console.info(
        `conformance ${c.vendor.name} ${c.specModel} (${c.kind}): ${generated.length} generated payloads checked ` +
          `(${parsed.length} parsed, ${rejected.length} outside the adapter's narrowing) and ${examples.length} spec examples; ` +
          `${list.length} mutants: ${outside.length} outside the schema, ${narrowed.length} outside the narrowing, ` +
          `${inside.length} inside; outcomes: ${[...outcomes].map(([outcome, n]) => `${n} ${outcome}`).join(', ')}`,
      );
    });

    it(`the ${generated.length} generated payloads are valid under the schema, and the ${examples.length} spec examples under the adapter's narrowing too`, () => {
      expect(generated.filter((_, i) => verdicts[i] === 'outside')).toEqual([]);
      expect(examples.filter((p) => judge(c, p) !== 'inside')).toEqual([]);
    });

    it(`${parsed.length} generated payloads and ${examples.length} spec examples parse and normalize`, async () => {
      const failures: string[] = [];
      for (const payload of [...examples, ...parsed]) {
        await expectConforms(c, feed, payload).catch((e: Error) => failures.push(e.message));
      }
      expect(failures.slice(0, 3)).toEqual([]);
    });

    it(`${rejected.length} generated payloads outside the adapter's narrowing get a ResponseValidationError`, () =>
      run(rejected.map(asIs)));

    it(`${outside.length} mutants outside the schema get a ResponseValidationError or a documented tolerant result`, () =>
      run(outside));

    it(`${narrowed.length} mutants inside the schema but outside the adapter's narrowing get a ResponseValidationError`, () =>
      run(narrowed));

    it(`${inside.length} mutants still inside the schema parse and normalize`, () => run(inside));
  });
}
