/**
 * Lets each bench file run alone (`npx tsx bench/paging.ts --smoke`) and under bench/run.ts,
 * which starts it as a child process with `--json <file>` to collect its figures.
 */
import { realpathSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { BenchResult } from './stats.js';

export interface BenchArgs {
  smoke: boolean;
  /** Where to write the result as JSON. */
  json?: string;
  /** Any other `--name value` pair, as a number when it is one. */
  [name: string]: unknown;
}

export function parseArgs(argv: readonly string[]): BenchArgs {
  const args: BenchArgs = { smoke: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith('--')) continue;
    const name = arg.slice(2).replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    const value = argv[i + 1];
    if (value === undefined || value.startsWith('--')) {
      args[name] = true;
    } else {
      args[name] = Number.isFinite(Number(value)) ? Number(value) : value;
      i++;
    }
  }
  return args;
}

/** Prints a result the way every bench does. */
export function print(result: BenchResult): void {
  console.log(`\n## ${result.title}\n`);
  console.log(result.text);
  for (const goal of result.goals) {
    console.log(`\n${goal.met ? 'MET' : 'NOT MET'}: ${goal.goal}: ${goal.figure}`);
  }
}

/** Runs `run` when `moduleUrl` is the process's entry file. */
export async function main(
  moduleUrl: string,
  run: (args: BenchArgs) => Promise<BenchResult>,
): Promise<BenchResult | undefined> {
  const entry = process.argv[1];
  if (!entry || realpathSync(entry) !== realpathSync(fileURLToPath(moduleUrl))) return undefined;
  const args = parseArgs(process.argv.slice(2));
  const result = await run(args);
  print(result);
  if (typeof args.json === 'string') writeFileSync(args.json, `${JSON.stringify(result, null, 2)}\n`);
  return result;
}
