/**
 * `taskwait/testing`: fake task lifecycles of every vendor, fault injection, msw handlers and a
 * loopback server, for testing code that awaits tasks without a network.
 *
 * @example
 * ```ts
 * import { setupServer } from 'msw/node';
 * import { fakeTask, mixpeekFake, taskwaitHandlers } from 'taskwait/testing';
 *
 * const task = fakeTask(mixpeekFake, { queuedPolls: 2, progress: [0.3, 0.6], outcome: 'succeeded' });
 * const server = setupServer(...taskwaitHandlers(task));
 * ```
 *
 * Without msw, import from `taskwait/testing/server` (the same kit, and `startFakeServer`).
 *
 * @module taskwait/testing
 */

export { type TaskwaitHandlerOptions, taskwaitHandlers } from './msw.js';
export * from './server.js';
