/**
 * Field schemas the Integration and ALM models share. Internal: not re-exported.
 *
 * @module
 */
import { z } from 'zod';

// No spec requires a task id: a snapshot without one takes the reference's.
export const taskId = z.string().optional();

// The states a model's members don't list. In the discriminator map this claims CANCELLING and
// CANCELLED; with `unionFallback` any state no member claims reaches it too, and the catch keeps
// that state as it came, so a new state parses (its snapshot state is `unknown`). The specs make
// `taskState` optional, so where the fallback members use it, it may be absent (also `unknown`).
const UNLISTED_STATES = ['CANCELLING', 'CANCELLED'] as const;
type UnlistedState = (typeof UNLISTED_STATES)[number];
export const UnlistedStateSchema = z
  .enum(UNLISTED_STATES)
  .catch(({ input }) => input as UnlistedState)
  .pipe(z.custom<UnlistedState>((value) => typeof value === 'string', 'taskState must be a string'));

// Fields the SDK's ALM models have and the ALM spec does not define: any value is let through,
// and the snapshot reads one only when it has the SDK's type.
export const sdkOnly = z.unknown().optional();
