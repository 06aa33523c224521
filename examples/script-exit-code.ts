// A script that waits for a task and sets its exit code from the outcome, for a shell or a CI step:
//
//   npx tsx examples/script-exit-code.ts            # the fake task succeeds: exit 0
//   npx tsx examples/script-exit-code.ts failed     # or partial, canceled, skipped, timeout
//   echo $?
import { createClient, HttpError, TaskFailedError, type TaskState, WaitTimeoutError } from '../src/index.js';
import { fakeTask, mixpeekFake, startFakeServer } from '../src/testing/index.js';
import { mixpeek } from '../src/vendors/mixpeek/index.js';

/** What the exit code says, for the script's callers. */
const EXIT = {
  succeeded: 0,
  skipped: 0,
  failed: 1,
  partial: 2,
  canceled: 3,
  timedOut: 4,
  httpError: 5,
} as const;

// The fake Mixpeek task ends the way the first argument says (or never, for "timeout").
const wanted = process.argv[2] ?? 'succeeded';
const task = fakeTask(mixpeekFake, {
  ...(wanted === 'timeout' ? { queuedMs: 60_000 } : { outcome: wanted as TaskState }),
  error: 'embedding model unavailable',
});
const server = await startFakeServer({ tasks: [task] });

const client = createClient(mixpeek, {
  baseUrl: server.url, // omit against the real API
  token: process.env.MIXPEEK_API_KEY ?? 'sk_test_example',
  // A script gives the task its time (10 minutes here); "timeout" shows the give-up path after 1 s.
  wait: { minDelayMs: 20, maxDelayMs: 100, timeoutMs: wanted === 'timeout' ? 1_000 : 600_000 },
});

async function main(taskId: string): Promise<number> {
  try {
    const done = await client.wait(taskId, {
      onProgress: (s) =>
        console.error(`${s.state}${s.progress === undefined ? '' : ` ${Math.round(s.progress * 100)}%`}`),
    });
    console.log(`task ${done.id} ${done.state} (${done.rawStatus})`);
    return done.state === 'partial' ? EXIT.partial : EXIT.succeeded;
  } catch (error) {
    if (error instanceof TaskFailedError) {
      console.log(
        `task ${error.snapshot.id} ${error.snapshot.state}: ${error.snapshot.error?.message ?? 'no reason given'}`,
      );
      return error.snapshot.state === 'canceled' ? EXIT.canceled : EXIT.failed;
    }
    if (error instanceof WaitTimeoutError) {
      console.log(`gave up after ${error.polls} polls; resume with: ${error.resumeToken}`);
      return EXIT.timedOut;
    }
    if (error instanceof HttpError) {
      console.log(error.message);
      return EXIT.httpError;
    }
    throw error;
  }
}

try {
  process.exitCode = await main(task.id);
} finally {
  await server.close();
}
