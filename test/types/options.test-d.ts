// Type tests (see errors.test-d.ts): what a strict project writes compiles under exactOptionalPropertyTypes.
import { expectTypeOf } from 'vitest';
import {
  type ClientOptions,
  createClient,
  type SnapshotOf,
  type TaskClient,
  type WaitOptions,
} from '../../src/index.js';
import { type AnaplanClient, type AnaplanSnapshot, anaplan } from '../../src/vendors/anaplan/index.js';
import { type LayerIqClient, type LayerIqSnapshot, layerIq } from '../../src/vendors/layer-iq/index.js';
import { type MixpeekClient, type MixpeekSnapshot, mixpeek } from '../../src/vendors/mixpeek/index.js';
import { type PostmanClient, type PostmanSnapshot, postman } from '../../src/vendors/postman/index.js';
import {
  type SoftwareOneClient,
  type SoftwareOneSnapshot,
  softwareOne,
  softwareOneVendor,
} from '../../src/vendors/softwareone/index.js';

// These tests mean something only under exactOptionalPropertyTypes: this line stops compiling without it.
// @ts-expect-error an optional property that does not list undefined takes no undefined
const pinned: { a?: number } = { a: undefined };

// The README's first line: an environment variable is `string | undefined`.
const client = createClient(mixpeek, { token: process.env.MIXPEEK_TOKEN });
expectTypeOf(client).toEqualTypeOf<MixpeekClient>();

// An optional value passed through, as a wrapper does with its own optional parameters.
declare const maybe: { signal?: AbortSignal; timeoutMs?: number; baseUrl?: string; logLevel?: 'debug' };
createClient(mixpeek, {
  token: process.env.MIXPEEK_TOKEN,
  baseUrl: maybe.baseUrl,
  requestTimeoutMs: maybe.timeoutMs,
  logLevel: maybe.logLevel,
  wait: { timeoutMs: maybe.timeoutMs, minDelayMs: undefined },
  retry: { retries: undefined },
});
await client.wait('task_1', { signal: maybe.signal, timeoutMs: maybe.timeoutMs, onProgress: undefined });
await client.get('task_1', { signal: maybe.signal });
for await (const task of client.tasks({ status: undefined }, { limit: undefined, signal: maybe.signal })) {
  expectTypeOf(task.task_id).toEqualTypeOf<string>();
}
const waitOptions: WaitOptions<MixpeekSnapshot> = { signal: maybe.signal, throwOnFailure: undefined };
const clientOptions: ClientOptions = { token: process.env.ANAPLAN_TOKEN, baseUrl: undefined };
await client.wait('task_1', waitOptions);
createClient(anaplan, clientOptions);
expectTypeOf(pinned).toEqualTypeOf<{ a?: number }>();

// Each vendor's client and snapshot have a name, and hovers show it.
expectTypeOf(createClient(anaplan, { token: 't' })).toEqualTypeOf<AnaplanClient>();
expectTypeOf(createClient(layerIq, { token: 't' })).toEqualTypeOf<LayerIqClient>();
expectTypeOf(createClient(postman, { token: 't' })).toEqualTypeOf<PostmanClient>();
expectTypeOf(createClient(softwareOne, { token: 't' })).toEqualTypeOf<SoftwareOneClient>();
expectTypeOf(
  createClient(softwareOneVendor({ errorFromLogs: true }), { token: 't' }),
).toEqualTypeOf<SoftwareOneClient>();
expectTypeOf<SnapshotOf<typeof mixpeek>>().toEqualTypeOf<MixpeekSnapshot>();
expectTypeOf<SnapshotOf<typeof anaplan>>().toEqualTypeOf<AnaplanSnapshot>();
expectTypeOf<SnapshotOf<typeof layerIq>>().toEqualTypeOf<LayerIqSnapshot>();
expectTypeOf<SnapshotOf<typeof postman>>().toEqualTypeOf<PostmanSnapshot>();
expectTypeOf<SnapshotOf<typeof softwareOne>>().toEqualTypeOf<SoftwareOneSnapshot>();
expectTypeOf(await client.get('task_1')).toEqualTypeOf<MixpeekSnapshot>();
expectTypeOf<TaskClient<typeof mixpeek>>().toEqualTypeOf<MixpeekClient>();

// @ts-expect-error a made-up field of a snapshot does not compile
(await client.get('task_1')).totallyMadeUp;
// @ts-expect-error a made-up option does not compile
createClient(mixpeek, { token: 't', madeUpOption: 1 });
