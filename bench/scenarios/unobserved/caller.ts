// bench/observe.ts's stand-in for src/core/observe/caller.ts: no frames are captured or appended.
export type Caller = { readonly call: string; readonly stack?: string | undefined };
export const captureCaller = (_call: string, _above: unknown): Caller | undefined => undefined;
export const withCaller = <E>(error: E, _caller: Caller | undefined): E => error;
