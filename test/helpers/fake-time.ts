// Awaiting a wait under fake timers: how it settled once the clock has run `ms` further.
import { vi } from 'vitest';

/** Advances the fake clock by `ms` and says how `promise` settled (it may still be pending after). */
export async function settle<T>(promise: Promise<T>, ms: number): Promise<PromiseSettledResult<T>> {
  const settled = promise.then(
    (value) => ({ status: 'fulfilled', value }) as const,
    (reason) => ({ status: 'rejected', reason }) as const,
  );
  await vi.advanceTimersByTimeAsync(ms);
  return settled;
}
