/**
 * `taskwait/bullmq`: waits that outlive a process, on BullMQ and Redis. Enqueue a wait with
 * {@link enqueueWait}; workers running {@link waitProcessor} poll it once per run and leave the
 * waiting between polls to BullMQ's delayed jobs; await the outcome from any process with
 * {@link waitOutcome}, or handle it in `onSettled`.
 *
 * A webhook handler wakes a delayed wait with {@link wakeWait}: its job is promoted, and a worker
 * polls the task at once.
 *
 * Needs `npm install bullmq ioredis` (bullmq 6, an optional peer dependency of taskwait, and the
 * Redis client it connects with). Importing this entry without bullmq throws a `ConfigError`
 * that says so.
 *
 * What goes into Redis: the vendor's name, the task reference, the wait options, your `data`,
 * the resume token of the last poll (the task reference, poll counts, the last status and
 * progress), and the outcome (the terminal snapshot, or the error). Never a token: the clients,
 * which hold the credentials, live in the workers.
 *
 * @example
 * ```ts
 * import { Queue, QueueEvents, Worker } from 'bullmq';
 * import { createClient } from 'taskwait';
 * import { enqueueWait, waitOutcome, waitProcessor } from 'taskwait/bullmq';
 * import { mixpeek } from 'taskwait/mixpeek';
 *
 * const connection = { host: 'localhost', port: 6379, maxRetriesPerRequest: null };
 * const queue = new Queue('taskwait', { connection });
 * const job = await enqueueWait(queue, { vendor: 'mixpeek', ref: 'task_123', data: { orderId: 42 } });
 *
 * // In the worker processes:
 * const clients = { mixpeek: createClient(mixpeek, { token: process.env.MIXPEEK_TOKEN }) };
 * new Worker('taskwait', waitProcessor({ clients, onSettled: (outcome) => save(outcome) }), { connection, concurrency: 50 });
 *
 * // Anywhere:
 * const outcome = await waitOutcome(queue, job.id!, new QueueEvents('taskwait', { connection }));
 * ```
 *
 * @module taskwait/bullmq
 */
import { requireBullmq } from './peer.js';

requireBullmq();

export {
  DEFAULT_WAIT_JOB_OPTIONS,
  enqueueWait,
  type WaitOutcomeOptions,
  type WaitRequest,
  waitJobData,
  waitOutcome,
} from './enqueue.js';
export {
  type CompletedWait,
  type FailedWait,
  type SettledError,
  type WaitJobData,
  type WaitOutcome,
  type WaitOutcomeBase,
  waitJobId,
} from './job.js';
export { INSTALL_LINE } from './peer.js';
export {
  type AnyTaskClient,
  type SettleContext,
  type WaitProcessor,
  type WaitProcessorOptions,
  waitProcessor,
} from './processor.js';
export { type WakeResult, type WakeWaitOptions, wakeWait } from './wake.js';
