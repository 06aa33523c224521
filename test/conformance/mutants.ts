/**
 * Mutants of valid payloads, each judged by the published schema: pruned (an optional key removed
 * at any depth, one at a time or a random set of them), varied within the schema's unions, and
 * broken (a wrong type, an unknown enum value, an extra field, numbers at the edges).
 */
import { choiceSites, conforms, type Json, type JsonPath, type JsonSchema, type SpecDocument, seeded } from './spec.js';

/** How a mutant was made. */
export type MutationOp =
  | 'prune'
  | 'prune-set'
  | 'variant'
  | 'null'
  | 'wrong-type'
  | 'unknown-value'
  | 'extra-field'
  | 'negative-number'
  | 'huge-number';

/** The three kinds of mutation, for the figures. */
export type MutationFamily = 'pruned' | 'union' | 'broken';

export const familyOf = (op: MutationOp): MutationFamily =>
  op === 'prune' || op === 'prune-set' ? 'pruned' : op === 'variant' ? 'union' : 'broken';

export interface Mutant {
  op: MutationOp;
  /** Where the payload was changed (the first change, for a set). */
  path: JsonPath;
  /** `path` with array indices as `*`, e.g. `task.result.nestedResults.*`; `(body)` for the body itself. */
  site: string;
  payload: Json;
  /** Whether the published schema accepts it. */
  valid: boolean;
}

/** An unknown enum value, or a string where the schema has a pattern. */
export const UNKNOWN_VALUE = 'NOT_A_DOCUMENTED_VALUE';
/** The field `extra-field` adds to an object. */
export const EXTRA_FIELD = 'x_conformance_extra';

export const siteOf = (path: JsonPath): string =>
  path.length === 0 ? '(body)' : path.map((p) => (typeof p === 'number' ? '*' : p)).join('.');

function* nodes(value: Json, path: JsonPath = []): Generator<[JsonPath, Json]> {
  yield [path, value];
  if (Array.isArray(value)) for (const [i, item] of value.entries()) yield* nodes(item, [...path, i]);
  else if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) yield* nodes(item, [...path, key]);
  }
}

/** The paths of every object key, at every depth. */
const keyPaths = (payload: Json): JsonPath[] =>
  [...nodes(payload)].map(([path]) => path).filter((path) => typeof path[path.length - 1] === 'string');

/** A copy of `root` with the value at `path` replaced, or deleted when `replacement` is undefined. */
export function edit(root: Json, path: JsonPath, replacement: Json | undefined): Json {
  if (path.length === 0) return replacement ?? null;
  const copy = structuredClone(root);
  let parent = copy as Record<string | number, Json>;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, Json>;
  const key = path[path.length - 1] as string | number;
  if (replacement === undefined) delete parent[key];
  else parent[key] = replacement;
  return copy;
}

function wrongType(value: Json): Json {
  if (typeof value === 'string') return 12345;
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return value ? 'true' : 0;
  // An array where an object is documented: `typeof` alone can't tell them apart.
  if (Array.isArray(value)) return { length: value.length };
  if (value === null) return true;
  return [value];
}

/**
 * Limits of one model's mutants. Each site (a key path with array indices as `*`) is covered in up
 * to this many payloads, each a different one, so that every site is met before any repeats.
 */
export interface MutantBudget {
  /** Payloads in which each key site is pruned alone. */
  prunes: number;
  /** Random sets of keys removed together, per payload. */
  pruneSets: number;
  /** Payloads in which each (site, allowed value) pair is tried. */
  variants: number;
  /** Payloads in which each (broken op, site) pair is tried. */
  perSite: number;
}

/**
 * The mutants of `payloads`, judged by `schema`, without duplicates (of each other or of the
 * payloads). Deterministic for a given seed.
 */
export function mutants(
  document: SpecDocument,
  schema: JsonSchema,
  payloads: readonly Json[],
  budget: MutantBudget,
  seed: number,
): Mutant[] {
  const seen = new Set(payloads.map((p) => JSON.stringify(p)));
  const out: Mutant[] = [];
  const add = (op: MutationOp, path: JsonPath, payload: Json) => {
    const text = JSON.stringify(payload);
    if (seen.has(text)) return false;
    seen.add(text);
    out.push({ op, path, site: siteOf(path), payload, valid: conforms(document, schema, payload) });
    return true;
  };
  const random = seeded(seed);
  const taken = new Map<string, number>();
  const once = (key: string, limit: number, make: () => boolean) => {
    if ((taken.get(key) ?? 0) >= limit) return;
    if (make()) taken.set(key, (taken.get(key) ?? 0) + 1);
  };

  // Pruning: each key, one at a time, then random sets (a parent removed takes its children).
  for (const payload of payloads) {
    for (const path of keyPaths(payload)) {
      once(`prune ${siteOf(path)}`, budget.prunes, () => add('prune', path, edit(payload, path, undefined)));
    }
  }
  for (const payload of payloads) {
    const paths = keyPaths(payload);
    for (let n = 0; n < budget.pruneSets && paths.length > 1; n++) {
      const chosen = paths.filter(() => random() < 0.35);
      if (chosen.length === 0) continue;
      // Deepest first, so that removing a child never looks for a parent already gone.
      let pruned = payload;
      for (const path of [...chosen].sort((a, b) => b.length - a.length)) pruned = edit(pruned, path, undefined);
      add('prune-set', chosen[0] as JsonPath, pruned);
    }
  }

  // Variation within the schema's unions, at every node that has a choice.
  for (const [i, payload] of payloads.entries()) {
    for (const site of choiceSites(document, schema, payload, seed + i)) {
      for (const [n, variant] of site.variants.entries()) {
        once(`variant ${siteOf(site.path)} #${n}`, budget.variants, () =>
          add('variant', site.path, edit(payload, site.path, variant)),
        );
      }
    }
  }

  // Broken payloads: every (op, site) met, each time from another payload.
  for (const payload of payloads) {
    for (const [path, value] of nodes(payload)) {
      const at = (op: MutationOp, replacement: Json) =>
        once(`${op} ${siteOf(path)}`, budget.perSite, () => add(op, path, edit(payload, path, replacement)));
      if (value !== null) at('null', null);
      at('wrong-type', wrongType(value));
      if (typeof value === 'string' && value !== UNKNOWN_VALUE) at('unknown-value', UNKNOWN_VALUE);
      // Numbers at the edges: a progress or tier below zero or far past its total, a date past `Date`'s range.
      if (typeof value === 'number') {
        at('negative-number', -1);
        at('huge-number', Number.MAX_SAFE_INTEGER);
      }
      if (value && typeof value === 'object' && !Array.isArray(value)) {
        at('extra-field', { ...value, [EXTRA_FIELD]: 'kept' });
      }
    }
  }
  return out;
}
