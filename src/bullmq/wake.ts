/**
 * A push wakes a durable wait: the job of a wait that is delayed until its next poll is promoted,
 * so a worker polls the task at once. The poll decides, as ever: the push alone ends nothing.
 *
 * @module
 */
import type { Queue } from 'bullmq';
import { ConfigError } from '../index.js';
import { waitJobId } from './job.js';

/**
 * What {@link wakeWait} found and did:
 * - `promoted`: the job was delayed until its next poll; it is due now, and a worker polls at once;
 * - `due`: the job was already waiting for a worker: its poll comes after the push anyway;
 * - `finished`: the wait has ended (completed or failed), or ended with the poll it was running;
 * - `running`: a worker was still polling when `runningMs` ran out;
 * - `missing`: there is no such job (never enqueued, removed, or enqueued under another id).
 */
export type WakeResult = 'promoted' | 'due' | 'finished' | 'running' | 'missing';

/** Options of {@link wakeWait}. */
export interface WakeWaitOptions {
  /**
   * The job's id, when it is not {@link waitJobId}(vendor, ref): a wait enqueued with a `jobId`
   * of your own, or resumed (its id ends in `-resumed-<polls>`).
   */
  jobId?: string;
  /**
   * When a worker is polling the task right now, how long to wait for that poll, in ms: if its
   * answer does not end the wait, the job is then promoted. Default 10000.
   */
  runningMs?: number;
}

// How often a running job's state is read while waiting for its poll.
const STATE_EVERY_MS = 25;

/**
 * Wakes the wait job on `ref` of `vendor` (as it was enqueued with {@link enqueueWait}): a job
 * delayed until its next poll is promoted, so a worker running `waitProcessor` polls the task at
 * once. A job a worker is polling right now is left to that poll, and promoted after it only if
 * its answer did not end the wait. Call it from a webhook handler once the delivery is verified.
 *
 * @returns what it found and did: see {@link WakeResult}.
 * @throws {@link ConfigError} for a `vendor` or `ref` no job could have (see {@link waitJobId}).
 * @example
 * ```ts
 * const event = await verifyWebhook({ payload, header, secret });
 * await wakeWait(queue, 'layer-iq', event.data.taskId);
 * ```
 */
export async function wakeWait(
  queue: Queue,
  vendor: string,
  ref: unknown,
  options: WakeWaitOptions = {},
): Promise<WakeResult> {
  const jobId = options.jobId ?? waitJobId(vendor, ref);
  const runningMs = options.runningMs ?? 10_000;
  if (typeof runningMs !== 'number' || !(runningMs >= 0 && runningMs <= 2 ** 31 - 1)) {
    throw new ConfigError('runningMs', 'runningMs must be a number of ms, at least 0');
  }
  const job = await queue.getJob(jobId);
  if (!job) return 'missing';
  const until = Date.now() + runningMs;
  for (;;) {
    const state = await job.getState();
    if (state === 'delayed') {
      try {
        await job.promote();
        return 'promoted';
      } catch (error) {
        // It left the delayed set meanwhile (its own time came): read its state again.
        if (Date.now() >= until) throw error;
        continue;
      }
    }
    if (state === 'completed' || state === 'failed') return 'finished';
    if (state === 'unknown') return 'missing';
    if (state !== 'active') return 'due';
    if (Date.now() >= until) return 'running';
    await new Promise((resolve) => setTimeout(resolve, STATE_EVERY_MS));
  }
}
