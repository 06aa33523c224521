/**
 * What the waits of one client share: the read of a task with a wait's own settings (batched when
 * the vendor can read many tasks at once), one timer for all that sleep, and one frozen object per
 * set of settings.
 *
 * @module
 */
import type { Batcher } from '../batch.js';
import type { RequestObserver } from '../observe/observer.js';
import type { ResolvedWait } from '../options.js';
import { type ResolvedTask, taskKey } from '../refs.js';
import type { Polled, Transport } from '../transport.js';
import type { PollOrder, WaitShared, WakeScheduler } from './driven.js';
import type { WakeRegistry } from './wakes.js';

/**
 * A wait's poll with its own settings (its `maxRetryAfterMs` also bounds retries within a
 * request), batched with others when the vendor can read many tasks at once.
 */
export function readWith(transport: Transport, batcher: Batcher | undefined, settings: ResolvedWait) {
  const { maxRetryAfterMs } = settings;
  return (task: ResolvedTask, signal: AbortSignal, order: PollOrder, observe?: RequestObserver): Promise<Polled> =>
    batcher
      ? batcher.read(task, signal, order, maxRetryAfterMs, observe)
      : transport.read(task, { signal, maxRetryAfterMs, priority: order, observe });
}

/**
 * What every wait() with the same settings shares: one frozen object for the client's defaults and
 * one for the last overrides (a loop of waits with the same options), not these fields in every
 * pending wait.
 */
export function waitSharing(
  vendor: string,
  readerOf: (settings: ResolvedWait) => WaitShared<ResolvedTask>['fetch'],
  defaults: ResolvedWait,
  registry: WakeRegistry,
  timers: WakeScheduler,
): (settings: ResolvedWait) => WaitShared<ResolvedTask> {
  const wakes = Object.freeze({ registry, key: (task: ResolvedTask) => taskKey(task.href) });
  const share = (settings: ResolvedWait): WaitShared<ResolvedTask> =>
    Object.freeze({
      vendor,
      fetch: readerOf(settings),
      options: settings,
      timeoutMs: settings.timeoutMs,
      timers,
      wakes,
    });
  const byDefault = share(defaults);
  let last = byDefault;
  return (settings) => {
    if (settings === defaults) return byDefault;
    if (last.options !== settings) last = share(settings);
    return last;
  };
}
