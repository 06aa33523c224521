// Pages through the issues of a Layer IQ import and writes them to a CSV file, one page in memory
// at a time.
//
//   npx tsx examples/issues-to-csv.ts [out.csv]
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '../src/index.js';
import { layerIqIngest, startFakeServer } from '../src/testing/index.js';
import { layerIq } from '../src/vendors/layer-iq/index.js';

// A fake Layer IQ that accepts imports. Against the real API, drop `baseUrl`.
const server = await startFakeServer({ routes: [layerIqIngest({ pageSize: 50 })] });
const layer = createClient(layerIq, {
  baseUrl: server.url,
  token: process.env.LAYER_IQ_TOKEN ?? 'liq_test_example',
  wait: { minDelayMs: 20, maxDelayMs: 100 },
});

/** Writes every issue of the task `ref` to `path` as CSV; returns how many. */
async function issuesToCsv(ref: string, path: string): Promise<number> {
  const out = createWriteStream(path);
  const write = async (fields: unknown[]) => {
    if (!out.write(`${fields.map(csvField).join(',')}\r\n`)) await once(out, 'drain');
  };
  let count = 0;
  try {
    await write(['rowIndex', 'identifier', 'severity', 'code', 'message']);
    for await (const issue of layer.issues(ref)) {
      await write([issue.rowIndex, issue.identifier, issue.severity, issue.code, issue.message]);
      count += 1;
    }
  } finally {
    out.end();
    await once(out, 'close');
  }
  return count;
}

/** RFC 4180: quote a field holding a comma, a quote or a line break; double its quotes. */
function csvField(value: unknown): string {
  const text = value === null || value === undefined ? '' : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

try {
  // An import with a few problems: rows without serial numbers, a bad country, a zero quantity.
  const rows = Array.from({ length: 400 }, (_, i) => ({
    identifier: `MON-${1000 + i}`,
    category: 'Monitor',
    manufacturer: 'Eizo',
    model: 'FlexScan EV2495, "USB-C"',
    countryCode: i === 42 ? 'Deutschland' : 'DE',
    quantity: i === 99 ? 0 : 1,
    ...(i % 7 === 0 ? {} : { serialNumber: `EZ${100000 + i}` }),
  }));
  const [ref] = await layer.ingest(rows);
  assert.ok(ref);
  const done = await layer.wait(ref);
  console.log(`import ${done.id}: ${done.state}, ${done.message}`);

  const path = process.argv[2] ?? join(tmpdir(), `layer-iq-issues-${done.id}.csv`);
  const count = await issuesToCsv(ref, path);
  const lines = (await readFile(path, 'utf8')).trimEnd().split('\r\n');
  console.log(`wrote ${count} issues to ${path}:`);
  for (const line of lines.slice(0, 4)) console.log(`  ${line}`);
  console.log('  ...');
  assert.equal(lines.length, count + 1);
  assert.ok(lines.some((line) => line.startsWith('42,MON-1042,ERROR,invalid_country_code,')));
} finally {
  await server.close();
}
