/**
 * The msw-free part of `taskwait/testing`: fake tasks, fault rules, the vendors' fakes and the
 * extra routes. `server.ts` and `index.ts` re-export it.
 *
 * @module
 */
// What a `VendorFake` of your own speaks: the canonical states, as taskwait's own.
export type { TaskState } from '../index.js';
export type { FakeRoute, FakeRouteContext, FakeRouteRequest } from './backend.js';
export type { FakeKind, FakeTaskView, FakeWebhook, FakeWebhookInput, VendorFake } from './fake.js';
export { type AnaplanFakeKind, anaplanFake } from './fakes/anaplan.js';
export { layerIqFake } from './fakes/layer-iq.js';
export { mixpeekFake } from './fakes/mixpeek.js';
export { postmanFake } from './fakes/postman.js';
export { softwareOneFake } from './fakes/softwareone.js';
export type { FaultRule } from './faults.js';
export { checkAsset, type LayerIqIngestOptions, layerIqIngest } from './layer-iq.js';
export type { FakeRateLimit } from './limit.js';
export {
  type AnaplanTaskListRouteOptions,
  anaplanTaskList,
  type SoftwareOneTaskListRouteOptions,
  softwareOneTaskList,
} from './lists.js';
export type { FakeRequest, RecordedRequest } from './record.js';
export {
  type AnyFakeTask,
  FAKE_TOKEN,
  type FakePhase,
  type FakeRef,
  type FakeResponse,
  type FakeTask,
  type FakeTaskOptions,
  fakeTask,
} from './task.js';
