/**
 * Validation cost: one large page (10,000 normalized rows) decoded, parsed, validated with a Zod
 * schema shaped like Layer IQ's `NormalizedRow` collection and turned into a paginator `Page`,
 * against `JSON.parse` of the same bytes. No I/O: the same bytes every time.
 *
 * Run alone: `npx tsx bench/validation.ts [--smoke]`.
 */
import { z } from 'zod';
import type { PageContent } from '../src/index.js';
import { main } from './lib/main.js';
import { seeded } from './lib/random.js';
import { type BenchResult, bytes, clock, fixed, median, ratio, table } from './lib/stats.js';

// Shaped like src/vendors/layer-iq/schemas.ts (NormalizedRow: an IngestAssetInput with every field
// optional plus inline TaskIssues), kept here so the bench does not move with the adapter.
const Severity = z.union([z.enum(['ERROR', 'WARNING', 'INFO']), z.string()]);
const Issue = z.looseObject({
  code: z.string(),
  message: z.string(),
  rowIndex: z.int().optional(),
  severity: Severity,
  identifier: z.string().nullable().optional(),
});
const NormalizedRow = z.looseObject({
  identifier: z.string().optional(),
  category: z.string().optional(),
  condition: z.string().optional(),
  countryCode: z.string().optional(),
  locationName: z.string().optional(),
  manufacturer: z.string().optional(),
  memory: z.int().optional(),
  model: z.string().optional(),
  serialNumber: z.string().optional(),
  sku: z.string().optional(),
  quantity: z.int().optional(),
  weight: z.number().optional(),
  year: z.int().optional(),
  issues: z.array(Issue).optional(),
  rowIndex: z.int().optional(),
});
const Pagination = z.looseObject({
  page: z.number().nullable().optional(),
  pageSize: z.number().nullable().optional(),
  total: z.number().nullable().optional(),
  nextCursor: z.string().nullable().optional(),
});
const NormalizedRowPage = z.looseObject({ data: z.array(NormalizedRow), pagination: Pagination.nullable().optional() });
type NormalizedRow = z.infer<typeof NormalizedRow>;

/** A page of `count` rows, a third of them with issues, as the server would send it. */
export function makePage(count: number): Uint8Array {
  const rng = seeded(10);
  const makers = ['Dell', 'Lenovo', 'HP', 'Apple', 'Cisco'];
  const data = Array.from({ length: count }, (_, i) => {
    const row: Record<string, unknown> = {
      identifier: `asset-${i}`,
      category: rng.chance(0.7) ? 'Laptop' : 'Network Switch',
      condition: 'USED',
      countryCode: 'US',
      manufacturer: makers[Math.floor(rng.next() * makers.length)],
      model: `Model ${Math.floor(rng.next() * 1000)}`,
      serialNumber: `SN${(1e9 + i).toString(36).toUpperCase()}`,
      quantity: 1 + Math.floor(rng.next() * 3),
      memory: 16,
      year: 2018 + Math.floor(rng.next() * 6),
      rowIndex: i,
    };
    if (rng.chance(0.33)) {
      row.issues = [
        {
          code: 'unknown_model',
          message: 'Model not found in the catalog',
          severity: 'WARNING',
          identifier: `asset-${i}`,
        },
      ];
    }
    return row;
  });
  const body = { data, pagination: { page: 1, pageSize: count, total: count * 10, nextCursor: 'c2' } };
  return new TextEncoder().encode(JSON.stringify(body));
}

function plain(bytes: Uint8Array): unknown {
  return JSON.parse(new TextDecoder().decode(bytes));
}

/** What the client does with a page body: decode strictly, parse, validate, make the `Page`. */
function validated(bytes: Uint8Array): PageContent<NormalizedRow> {
  const json: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  const parsed = NormalizedRowPage.safeParse(json);
  if (!parsed.success) throw new Error(parsed.error.message);
  const { data, pagination } = parsed.data;
  return { items: data, meta: pagination, next: pagination?.nextCursor ?? undefined };
}

function timeIt(fn: () => unknown, iterations: number): number {
  const started = clock();
  for (let i = 0; i < iterations; i++) fn();
  return (clock() - started) / iterations;
}

export async function run(options: { smoke: boolean }): Promise<BenchResult> {
  const count = options.smoke ? 1000 : 10_000;
  const rounds = options.smoke ? 3 : 15;
  const perRound = options.smoke ? 3 : 10;
  const page = makePage(count);
  const check = validated(page);
  if (check.items.length !== count) throw new Error('validation: wrong row count');
  for (let i = 0; i < 5; i++) {
    plain(page);
    validated(page);
  }
  const base: number[] = [];
  const mine: number[] = [];
  for (let r = 0; r < rounds; r++) {
    base.push(timeIt(() => plain(page), perRound));
    mine.push(timeIt(() => validated(page), perRound));
  }
  const b = median(base);
  const m = median(mine);
  const text = [
    `One page of ${count} rows, ${bytes(page.byteLength)} of JSON; ms per page, median of ${rounds} rounds of ${perRound}.`,
    '',
    table(
      ['work', 'ms/page', 'µs/row', 'rows/s', 'ratio'],
      [
        ['JSON.parse', fixed(b, 2), fixed((b * 1000) / count, 2), fixed((count / b) * 1000, 0), '1.00x'],
        [
          'decode + parse + Zod + Page',
          fixed(m, 2),
          fixed((m * 1000) / count, 2),
          fixed((count / m) * 1000, 0),
          ratio(m / b),
        ],
      ],
    ),
  ].join('\n');
  return {
    name: 'validation',
    title: 'Validation cost (one page of normalized rows)',
    text,
    figures: { rows: count, pageBytes: page.byteLength, jsonParseMs: b, validatedMs: m, ratio: m / b },
    goals: [],
  };
}

await main(import.meta.url, run);
