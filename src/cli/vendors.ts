/**
 * The vendors the bin knows: each one's name on the command line, the environment variable its
 * token comes from, and the task references it takes (for `--help`).
 *
 * @module
 */
import type { createClient } from '../index.js';
import { anaplan } from '../vendors/anaplan/index.js';
import { layerIq } from '../vendors/layer-iq/index.js';
import { mixpeek } from '../vendors/mixpeek/index.js';
import { postman } from '../vendors/postman/index.js';
import { softwareOne } from '../vendors/softwareone/index.js';

/** Any vendor `createClient` takes. */
export type AnyVendor = Parameters<typeof createClient>[0];

/** A vendor as the bin offers it. */
export interface CliVendor {
  /** The name on the command line: the vendor's own `name`. */
  name: string;
  vendor: AnyVendor;
  /** The environment variable that holds this vendor's token. */
  env: string;
  /** What the token is, for `--help`. */
  token: string;
  /** The task references it takes, one per line, for `--help`. */
  refs: readonly string[];
}

/** Read when the vendor's own variable is unset or empty. */
export const GENERIC_TOKEN_ENV = 'TASKWAIT_TOKEN';

export const VENDORS: readonly CliVendor[] = [
  {
    name: layerIq.name,
    vendor: layerIq,
    env: 'TASKWAIT_LAYER_IQ_TOKEN',
    token: 'an API key (liq_live_…) or an app session JWT',
    refs: ['run_000123                         a task id'],
  },
  {
    name: anaplan.name,
    vendor: anaplan,
    env: 'TASKWAIT_ANAPLAN_TOKEN',
    token: 'an AnaplanAuthToken',
    refs: [
      `'{"workspaceId":"8a81…","modelId":"75A4…","actionId":"118000000002","taskId":"1660…"}'`,
      '                                   a bulk import, export, action or process task',
      `'{"modelId":"75A4…","kind":"syncTasks","taskId":"0A1B…"}'`,
      '                                   an ALM task (kind: syncTasks, comparisonReportTasks, summaryReportTasks)',
    ],
  },
  {
    name: postman.name,
    vendor: postman,
    env: 'TASKWAIT_POSTMAN_TOKEN',
    token: 'a PMAK-… API key',
    refs: [
      `'{"apiId":"a1b2…","taskId":"66ae…"}'        an API task`,
      `'{"kind":"collection-update","taskId":"66ae…"}'`,
      '                                   also collection-merge, collection-duplicate',
      `'{"elementType":"specs","elementId":"…","taskId":"66ae…"}'`,
      '                                   a spec or collection task',
    ],
  },
  {
    name: softwareOne.name,
    vendor: softwareOne,
    env: 'TASKWAIT_SOFTWAREONE_TOKEN',
    token: 'a Bearer token',
    refs: ['TSK-0001-2474-4798-1266            a task id'],
  },
  {
    name: mixpeek.name,
    vendor: mixpeek,
    env: 'TASKWAIT_MIXPEEK_TOKEN',
    token: 'an sk_… API key',
    refs: [`task_abc123 or '{"task_id":"task_abc123"}'`],
  },
];

/** The vendor named `name` (any case), or undefined. */
export function findVendor(name: string): CliVendor | undefined {
  const wanted = name.trim().toLowerCase();
  return VENDORS.find((v) => v.name === wanted);
}

/** The Layer IQ entry, for `issues` and `rows`. */
export const LAYER_IQ = findVendor('layer-iq') as CliVendor;

/** The token for `vendor` from the environment, and the variable it came from. Empty counts as unset. */
export function tokenFor(
  vendor: CliVendor,
  env: NodeJS.ProcessEnv,
): { token: string; from: string } | { token: undefined; from: undefined } {
  for (const name of [vendor.env, GENERIC_TOKEN_ENV]) {
    const value = env[name]?.trim();
    if (value) return { token: value, from: name };
  }
  return { token: undefined, from: undefined };
}

/** Every variable a token may come from. */
export function tokenVariables(): string[] {
  return [...VENDORS.map((v) => v.env), GENERIC_TOKEN_ENV];
}
