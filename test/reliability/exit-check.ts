// Run by soak.test.ts in a child process (node --import tsx): waits under faults, a wait that
// times out mid-request, an aborted wait, a watch left early and a page walk left early, against
// the parent's fake server. It never calls process.exit: the parent checks that it ends by itself,
// so a timer, socket or listener left behind by the library shows as a hang.
//
// The clients keep the default request timeout (30 s) and wait timeout (1 h): a timer of either
// left running would keep this process alive long past the parent's limit.
import { createClient, type TaskSnapshot } from '../../src/index.js';
import { layerIq } from '../../src/vendors/layer-iq/index.js';
import { VENDOR_CASES } from '../helpers/reliability.js';

interface Input {
  url: string;
  waits: { vendor: string; token: string; ref: unknown }[];
  stalled: string;
  endless: string;
}

const input = JSON.parse(process.env.TASKWAIT_EXIT_CHECK ?? '{}') as Input;
const wait = { minDelayMs: 5, maxDelayMs: 50 };
const retry = { retries: 3, minDelayMs: 2, maxDelayMs: 20 };

function clientOf(name: string, token: string) {
  const vc = VENDOR_CASES.find((c) => c.name === name);
  if (!vc) throw new Error(`no vendor ${name}`);
  return createClient(vc.vendor, { baseUrl: input.url, token, wait, retry }) as unknown as {
    wait(ref: unknown, options?: object): Promise<TaskSnapshot>;
    watch(ref: unknown, options?: object): AsyncGenerator<TaskSnapshot>;
  };
}

async function main() {
  const waits = await Promise.all(input.waits.map((w) => clientOf(w.vendor, w.token).wait(w.ref)));
  const mixpeek = clientOf('mixpeek', 'sk_test_exit_check');

  // The request is held back for a minute: the wait's own timeout ends it.
  const timeout = await mixpeek.wait(input.stalled, { timeoutMs: 200 }).then(
    () => 'resolved',
    (e: Error) => e.name,
  );

  // Aborted during the sleep between polls (a one-minute delay).
  const control = new AbortController();
  const aborted = await mixpeek
    .wait(input.endless, {
      minDelayMs: 60_000,
      maxDelayMs: 60_000,
      signal: control.signal,
      onProgress: () => setTimeout(() => control.abort(), 20),
    })
    .then(
      () => 'resolved',
      (e: Error) => e.name,
    );

  let watched = 0;
  for await (const _ of mixpeek.watch(input.endless, { minDelayMs: 60_000, maxDelayMs: 60_000 })) {
    watched++;
    break;
  }

  // A page walk left after its first page, with the next page being fetched.
  const layer = createClient(layerIq, { baseUrl: input.url, token: 'liq_test_exit_check', wait, retry });
  const rows = Array.from({ length: 95 }, (_, i) => ({
    identifier: `EXIT-${i}`,
    ...(i % 5 === 0 ? {} : { serialNumber: `SN${i}` }),
  }));
  const [ref] = await layer.ingest(rows, { normalize: true });
  await layer.wait(ref as string);
  let walked = 0;
  for await (const page of layer.normalizedRows(ref as string).pages()) {
    walked += page.items.length;
    break;
  }
  const issues = (await layer.issues(ref as string).toArray({ limit: Infinity })).length;

  console.log(JSON.stringify({ waits: waits.map((s) => s.state), timeout, aborted, watched, walked, issues }));
  // Says what is left if the process does not end (unref'd: it does not itself keep it alive).
  setTimeout(() => console.error('still alive:', process.getActiveResourcesInfo()), 8_000).unref();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
