// bench/observe.ts's stand-in for src/core/observe/observer.ts: an observer that never observes,
// so that only the call sites (each a `?.` on undefined) are left of observation.

export type { Observer } from '../../../src/core/observe/observer.js';
export type { Exchange, RequestObserver } from '../../../src/core/observe/requests.js';
export type { StepInfo, TaskInfo, WaitObserver } from '../../../src/core/observe/waits.js';

export function createObserver(): unknown {
  return {
    telemetry: () => undefined,
    wait: () => undefined,
    get: () => undefined,
    requests: () => undefined,
    pages: <S>(source: S) => source,
  };
}
