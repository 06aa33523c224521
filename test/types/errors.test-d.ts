// Type tests: `npm test` checks them first (`npm run test:types`, tsc over test/types), as does `npm run typecheck`; nothing here runs.
// The project compiles under `strict` and `exactOptionalPropertyTypes`, as a strict user's does.
import { expectTypeOf } from 'vitest';
import { createClient, TaskFailedError, type TaskSnapshot, WaitTimeoutError } from '../../src/index.js';
import { type AnaplanSnapshot, anaplan, type SyncTaskStatusPoll } from '../../src/vendors/anaplan/index.js';
import { type MixpeekSnapshot, mixpeek, type TaskResponse } from '../../src/vendors/mixpeek/index.js';

declare const caught: unknown;

// After instanceof, the snapshot is a TaskSnapshot, not `any`.
if (caught instanceof TaskFailedError) {
  expectTypeOf(caught.snapshot).toEqualTypeOf<TaskSnapshot>();
  expectTypeOf(caught.snapshot.raw).toBeUnknown();
  // @ts-expect-error a made-up field of a snapshot does not compile
  caught.snapshot.totallyMadeUp;
  // @ts-expect-error nor does reading into its raw payload unchecked
  caught.snapshot.raw.totallyMadeUp;
}
if (caught instanceof WaitTimeoutError) {
  expectTypeOf(caught.snapshot).toEqualTypeOf<TaskSnapshot | undefined>();
  expectTypeOf(caught.vendor).toEqualTypeOf<string>();
}

// A client's guards narrow to its vendor's own snapshot type.
const client = createClient(mixpeek, { token: 'token' });
if (client.isTaskFailed(caught)) {
  expectTypeOf(caught).toMatchTypeOf<TaskFailedError>();
  expectTypeOf(caught.snapshot).toEqualTypeOf<MixpeekSnapshot>();
  expectTypeOf(caught.snapshot.raw).toEqualTypeOf<TaskResponse>();
  expectTypeOf(caught.snapshot.raw.task_id).toEqualTypeOf<string>();
  expectTypeOf(caught.snapshot.kind).toEqualTypeOf<'task'>();
  // @ts-expect-error a made-up field of the vendor's snapshot does not compile
  caught.snapshot.totallyMadeUp;
}
if (client.isWaitTimeout(caught)) {
  expectTypeOf(caught.snapshot).toEqualTypeOf<MixpeekSnapshot | undefined>();
}

const anaplanClient = createClient(anaplan, { token: 'token' });
if (anaplanClient.isTaskFailed(caught)) {
  expectTypeOf(caught.snapshot).toEqualTypeOf<AnaplanSnapshot>();
  if (caught.snapshot.kind === 'syncTasks') {
    expectTypeOf(caught.snapshot.raw).toEqualTypeOf<SyncTaskStatusPoll>();
  }
  // @ts-expect-error Anaplan snapshots have no such kind
  caught.snapshot.kind === 'task';
}
