import { describe, expect, it } from 'vitest';
import { createClient, TaskFailedError, type TaskState, type Vendor } from '../../src/index.js';
import {
  anaplanFake,
  fakeTask,
  layerIqFake,
  mixpeekFake,
  postmanFake,
  softwareOneFake,
  taskwaitHandlers,
  type VendorFake,
} from '../../src/testing/index.js';
import { anaplan } from '../../src/vendors/anaplan/index.js';
import { layerIq } from '../../src/vendors/layer-iq/index.js';
import { mixpeek } from '../../src/vendors/mixpeek/index.js';
import { postman } from '../../src/vendors/postman/index.js';
import { softwareOne } from '../../src/vendors/softwareone/index.js';
import { useMsw } from '../helpers/server.js';

const server = useMsw();

interface Case {
  vendor: Vendor;
  fake: VendorFake;
  token: string;
}

const VENDORS: Case[] = [
  { vendor: mixpeek, fake: mixpeekFake, token: 'sk_test_0123456789abcdef' },
  { vendor: postman, fake: postmanFake, token: 'PMAK-0123456789abcdef-0123456789' },
  { vendor: anaplan, fake: anaplanFake, token: 'anaplan-token-0123456789' },
  { vendor: softwareOne, fake: softwareOneFake, token: 'idt:TKN-0123-4567:abcdef0123456789' },
  { vendor: layerIq, fake: layerIqFake, token: 'liq_test_0123456789abcdef' },
];

const FAILING: ReadonlySet<TaskState> = new Set(['failed', 'canceled']);

/** The outcomes a kind can end with: the fake's outcomes that it can render. */
function outcomesOf(fake: VendorFake, kind: string): TaskState[] {
  return fake.outcomes.filter((outcome) => {
    try {
      fakeTask(fake, { kind, outcome });
      return true;
    } catch {
      return false;
    }
  });
}

/** Waits on `task` at the vendor's production URL (msw), as code under test would. */
async function waitOn({ vendor, token }: Case, task: ReturnType<typeof fakeTask>) {
  server.use(...taskwaitHandlers(task));
  const client = createClient(vendor, {
    token,
    wait: { minDelayMs: 1, maxDelayMs: 5, jitter: 0 },
    retry: { minDelayMs: 1, maxDelayMs: 2 },
  });
  const states: TaskState[] = [];
  try {
    const end = await client.wait(task.ref, { onProgress: (s) => states.push(s.state) });
    return { end, states };
  } catch (error) {
    if (error instanceof TaskFailedError) return { end: error.snapshot, states, error };
    throw error;
  }
}

describe.each(VENDORS)('$fake.vendor through the kit', (vendorCase) => {
  const { vendor, fake, token } = vendorCase;
  const [firstKind, ...otherKinds] = Object.keys(fake.kinds) as string[];

  it('ends its first kind of task every way the vendor can express', () => {
    expect(outcomesOf(fake, firstKind as string)).toEqual(fake.outcomes);
  });

  it.each(fake.outcomes.map((outcome) => ({ outcome })))('a task that ends $outcome', async ({ outcome }) => {
    const task = fakeTask(fake, { kind: firstKind, queuedPolls: 1, progress: [0.4], outcome, error: 'it broke' });
    const { end, states, error } = await waitOn(vendorCase, task);
    expect(end).toMatchObject({ vendor: vendor.name, id: task.id, state: outcome, terminal: true });
    expect(states.at(-1)).toBe(outcome);
    expect(error !== undefined).toBe(FAILING.has(outcome));
    expect(task.polls).toBe(3);
    // The vendor's credential was sent, and is recorded redacted only.
    expect(task.requests.every((r) => Object.values(r.headers).some((v) => v.includes('[REDACTED]')))).toBe(true);
    expect(JSON.stringify(task.requests)).not.toContain(token);
  });

  it.each(otherKinds.flatMap((kind) => outcomesOf(fake, kind).map((outcome) => ({ kind, outcome }))))(
    'a $kind task that ends $outcome',
    async ({ kind, outcome }) => {
      const task = fakeTask(fake, { kind, outcome });
      const { end } = await waitOn(vendorCase, task);
      expect(end).toMatchObject({ kind, state: outcome, terminal: true });
    },
  );

  it('answers an unknown task id with the vendor own 404', async () => {
    const task = fakeTask(fake, { kind: firstKind });
    const other = fakeTask(fake, { kind: firstKind });
    server.use(...taskwaitHandlers(task));
    const client = createClient(vendor, { token, retry: { retries: 0 } });
    await expect(client.get(other.ref)).rejects.toMatchObject({ name: 'HttpError', status: 404 });
    expect(task.requests).toHaveLength(0);
  });
});
