/**
 * The published specs as the oracle: reading an extract, judging a payload with Ajv, sampling
 * payloads with json-schema-faker (seeded), and finding where a payload's schema offers a choice
 * (an enum, a nullable type, an `anyOf`/`oneOf` branch, a boolean).
 *
 * The extracts in `./specs/` are copies of `../shared/specs/` (its README names the upstream files
 * and commits), formatted; `postman/other-task-schemas.extract.json` adds the other task
 * operations of the same Postman 1.45.0 document.
 *
 * Two readings turn the OpenAPI 3.0 extracts into the JSON Schema that Ajv and the sampler take,
 * both done once when an extract is read:
 * - `nullable: true` adds `null` to the schema's `type` (OpenAPI 3.0's way of saying it).
 * - A schema with `properties` but no `type` (the Anaplan Integration extract's `Task` and
 *   `TaskResult`) is read as the object it describes, as OpenAPI generators and mock servers read
 *   it. Taken literally it would let a string or a list stand for a task; no document shows one.
 */
import { readFileSync } from 'node:fs';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { createGeneratorSync, type JsonSchema, type Random } from 'json-schema-faker';

export type { JsonSchema };
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonPath = readonly (string | number)[];
type SchemaObject = Record<string, unknown>;

/** A spec extract as one document, so that its `#/components/...` references resolve inside it. */
export interface SpecDocument {
  /** `vendor/file`, for messages. */
  name: string;
  components: Record<string, unknown>;
}

/** Reads `./specs/<vendor>/<file>`. Mixpeek's extract is the schemas map itself; the others hold `schemas`. */
export function specDocument(vendor: string, file: string): SpecDocument {
  const extract = JSON.parse(readFileSync(new URL(`./specs/${vendor}/${file}`, import.meta.url), 'utf8'));
  const components = 'schemas' in extract ? extract : { schemas: extract };
  return { name: `${vendor}/${file}`, components: asJsonSchema(components) as Record<string, unknown> };
}

// The two readings above, applied to every schema in the extract. A `properties` map is not a
// schema itself (ListMetadata has a property named "properties").
function asJsonSchema(node: unknown, isMap = false): unknown {
  if (Array.isArray(node)) return node.map((item) => asJsonSchema(item));
  if (!node || typeof node !== 'object') return node;
  const out: SchemaObject = {};
  for (const [key, value] of Object.entries(node)) {
    // Examples are data, not schemas.
    out[key] = key === 'example' || key === 'examples' ? value : asJsonSchema(value, !isMap && key === 'properties');
  }
  if (isMap) return out;
  if (out.nullable === true && out.type !== undefined) {
    const types = Array.isArray(out.type) ? out.type : [out.type];
    if (!types.includes('null')) out.type = [...types, 'null'];
  }
  if (isPlainSchema(out.properties) && out.type === undefined) out.type = 'object';
  return out;
}

const isPlainSchema = (value: unknown): value is SchemaObject =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** `#/components/schemas/<name>`. */
export const schemaRef = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });

/** The JSON schema of a path's response, e.g. `responseSchema(doc, '/v1/tasks/{task_id}', 'get')`. */
export function responseSchema(document: SpecDocument, path: string, method = 'get', status = '200'): JsonSchema {
  const paths = (document.components.paths ?? document.components._paths) as Record<string, SchemaObject> | undefined;
  const operation = paths?.[path]?.[method] as SchemaObject | undefined;
  let response = (operation?.responses as SchemaObject | undefined)?.[status] as SchemaObject | undefined;
  if (response && typeof response.$ref === 'string') response = resolve(document, response.$ref) as SchemaObject;
  const schema = (response?.content as Record<string, SchemaObject> | undefined)?.['application/json']?.schema;
  if (!schema) throw new Error(`${document.name}: no ${status} JSON schema for ${method.toUpperCase()} ${path}`);
  return schema as JsonSchema;
}

/** The response examples the spec gives for a path (`example`, and `examples.*.value` through `$ref`s). */
export function responseExamples(document: SpecDocument, path: string, method = 'get', status = '200'): Json[] {
  const paths = (document.components.paths ?? document.components._paths) as Record<string, SchemaObject>;
  const operation = paths[path]?.[method] as SchemaObject | undefined;
  let response = (operation?.responses as SchemaObject | undefined)?.[status] as SchemaObject | undefined;
  if (response && typeof response.$ref === 'string') response = resolve(document, response.$ref) as SchemaObject;
  const media = (response?.content as Record<string, SchemaObject> | undefined)?.['application/json'];
  const out: Json[] = [];
  if (media?.example !== undefined) out.push(media.example as Json);
  for (const example of Object.values((media?.examples ?? {}) as Record<string, SchemaObject>)) {
    const value = typeof example.$ref === 'string' ? (resolve(document, example.$ref) as SchemaObject) : example;
    if (value?.value !== undefined) out.push(value.value as Json);
  }
  return out;
}

function resolve(document: SpecDocument, ref: string): unknown {
  const parts = ref.replace(/^#\/components\//, '').split('/');
  let node: unknown = document.components;
  for (const part of parts) node = (node as SchemaObject | undefined)?.[part];
  if (node === undefined) throw new Error(`${document.name}: unresolved ${ref}`);
  return node;
}

/** `schema` with its `$ref`s followed. */
export function deref(document: SpecDocument, schema: unknown): SchemaObject | boolean {
  let node = schema;
  for (let hops = 0; isPlainSchema(node) && typeof node.$ref === 'string'; hops++) {
    if (hops > 20) throw new Error(`${document.name}: a $ref loop`);
    node = resolve(document, node.$ref);
  }
  return typeof node === 'boolean' ? node : (node as SchemaObject);
}

// ---------------------------------------------------------------------------------------------
// Judging

// `format` is an annotation here, as JSON Schema 2020-12 has it by default: the vendors' own
// examples break RFC 3339, and the SDK takes them.
const ajv = new Ajv2020({ strict: false, validateFormats: false });
const validators = new WeakMap<object, ValidateFunction>();

const withComponents = (document: SpecDocument, schema: JsonSchema) => ({
  ...(schema as object),
  components: document.components,
});

/** Whether `value` is valid under `schema`, whose references resolve in `document`. */
export function conforms(document: SpecDocument, schema: JsonSchema, value: unknown): boolean {
  let validate = validators.get(schema as object);
  if (!validate) {
    validate = ajv.compile(withComponents(document, schema));
    validators.set(schema as object, validate);
  }
  return validate(value) === true;
}

// ---------------------------------------------------------------------------------------------
// Sampling

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

const formats = { 'date-time': dateTime };

/**
 * `count` payloads valid under `schema`: half with each optional property at even odds, half with
 * every optional property present. Deterministic for a given seed.
 */
export function sample(document: SpecDocument, schema: JsonSchema, count: number, seed: number): Json[] {
  const root = withComponents(document, schema);
  const sparse = createGeneratorSync({ seed, formats, maxDefaultItems: 3 });
  const full = createGeneratorSync({ seed: seed + count, formats, maxDefaultItems: 3, alwaysFakeOptionals: true });
  return Array.from({ length: count }, (_, i) => (i % 2 === 0 ? sparse : full).generate(root) as Json);
}

// ---------------------------------------------------------------------------------------------
// Where a payload's schema offers a choice

/** A node of a payload whose schema allows other values than the one it has. */
export interface ChoiceSite {
  path: JsonPath;
  /** The values the schema allows there besides (or including) the current one. */
  variants: Json[];
}

/**
 * Every node of `value` whose schema is a union: each `enum` value, `null` where the type is
 * nullable, both booleans, and one sampled instance of each `anyOf`/`oneOf` branch. Walks the
 * payload and its schema together, into the branches the payload matches; at most the first two
 * items of an array.
 */
export function choiceSites(document: SpecDocument, schema: JsonSchema, value: Json, seed: number): ChoiceSite[] {
  const sites: ChoiceSite[] = [];
  const generator = createGeneratorSync({ seed, formats, maxDefaultItems: 2 });
  const walk = (node: unknown, at: Json, path: JsonPath, depth: number) => {
    const s = deref(document, node);
    if (typeof s === 'boolean' || depth > 12) return;
    const variants: Json[] = [];
    if (Array.isArray(s.enum)) variants.push(...(s.enum as Json[]));
    if (s.const !== undefined) variants.push(s.const as Json);
    const types = Array.isArray(s.type) ? s.type : s.type === undefined ? [] : [s.type];
    if (types.includes('null')) variants.push(null);
    if (types.includes('boolean')) variants.push(true, false);
    const branches = [...((s.anyOf as unknown[]) ?? []), ...((s.oneOf as unknown[]) ?? [])];
    for (const branch of branches) {
      const b = deref(document, branch);
      if (typeof b !== 'boolean' && b.type === 'null') variants.push(null);
      else variants.push(generator.generate(withComponents(document, branch as JsonSchema)) as Json);
    }
    if (variants.length > 0) sites.push({ path, variants });
    for (const branch of [...branches, ...((s.allOf as unknown[]) ?? [])]) {
      if (conforms(document, branch as JsonSchema, at)) walk(branch, at, path, depth + 1);
    }
    if (Array.isArray(at)) {
      for (const [i, item] of at.slice(0, 2).entries()) if (s.items) walk(s.items, item, [...path, i], depth + 1);
    } else if (at !== null && typeof at === 'object') {
      const properties = (s.properties ?? {}) as SchemaObject;
      for (const [key, item] of Object.entries(at)) {
        const sub = Object.hasOwn(properties, key)
          ? properties[key]
          : isPlainSchema(s.additionalProperties)
            ? s.additionalProperties
            : undefined;
        if (sub !== undefined) walk(sub, item, [...path, key], depth + 1);
      }
    }
  };
  walk(schema, value, [], 0);
  return sites;
}

/** A deterministic pseudo-random source (mulberry32) for the mutations' choices. */
export function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
