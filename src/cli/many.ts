/**
 * `taskwait wait` on several tasks (or with `--refs` or `--any`): one group wait through the
 * library's `waitEach` / `waitAny`, one JSON line per task event with its ref, and the exit code
 * of the worst outcome (with `--any`, of the first).
 *
 * @module
 */
import { type BaseClient, type TaskSnapshot, TaskwaitError } from '../index.js';
import { parseRefLines, type WaitCommand } from './args.js';
import { type CommandIo, checkRef, clientFor } from './client.js';
import { EXIT, exitCodeFor, exitCodeOf, Stopped, UsageError, worstExit } from './exit.js';
import { formatDuration } from './progress.js';
import { describeRef } from './wait.js';

/** Whether `cmd` waits on a group rather than on one task. */
export function isGroupWait(cmd: WaitCommand): boolean {
  return cmd.refs.length > 1 || cmd.refsFrom !== undefined || cmd.any;
}

/** `taskwait wait` on a group: returns the exit code. */
export async function waitManyCommand(cmd: WaitCommand, io: CommandIo): Promise<number> {
  const refs = [...cmd.refs];
  if (cmd.refsFrom !== undefined) {
    const source = cmd.refsFrom === '-' ? 'stdin' : cmd.refsFrom;
    const more = parseRefLines(await io.readText(cmd.refsFrom), source);
    if (more.length === 0 && refs.length === 0) throw new UsageError(`no task refs in ${source}`);
    refs.push(...more);
  }
  for (const [i, ref] of refs.entries()) {
    try {
      checkRef({ vendor: cmd.vendor, ref, baseUrl: cmd.baseUrl });
    } catch (error) {
      throw new UsageError(`task ref ${i + 1} (${describeRef(ref)}): ${(error as Error).message}`);
    }
  }
  const delays = {
    ...(cmd.minDelayMs === undefined ? {} : { minDelayMs: cmd.minDelayMs }),
    ...(cmd.maxDelayMs === undefined ? {} : { maxDelayMs: cmd.maxDelayMs, maxEstimateDelayMs: cmd.maxDelayMs }),
  };
  const client: BaseClient<unknown, TaskSnapshot> = clientFor(
    cmd.vendor.vendor,
    { vendor: cmd.vendor, ref: refs[0], baseUrl: cmd.baseUrl, verbose: cmd.verbose },
    io,
    { wait: delays },
  );
  const jsonLines = cmd.json || !io.out.isTTY;
  const out = new Lines(io, jsonLines);
  const started = Date.now();
  const options = {
    timeoutMs: cmd.timeoutMs,
    signal: io.signal,
    throwOnFailure: false,
    onTaskProgress: (snapshot: TaskSnapshot, ref: unknown) => out.json({ ref, ...snapshot }),
  };
  const name = cmd.vendor.name;
  const report = (ref: unknown, outcome: { snapshot: TaskSnapshot } | { error: unknown }): number => {
    if ('snapshot' in outcome) {
      const end = outcome.snapshot;
      const code = exitCodeOf(end.state);
      const detail = end.error ? `: ${end.error.message}` : end.message ? `: ${end.message}` : '';
      if (!cmd.quiet || code !== EXIT.ok)
        io.err.line(`${name} task ${end.id} ${end.state} (${end.rawStatus})${detail}`);
      return code;
    }
    out.json({ ref, error: describeError(outcome.error) });
    io.err.line(`taskwait: ${describeRef(ref)}: ${(outcome.error as Error)?.message ?? String(outcome.error)}`);
    return exitCodeFor(outcome.error);
  };

  try {
    if (cmd.any) {
      let code: number;
      try {
        const first = await client.waitAny(refs, options);
        code = report(first.ref, { snapshot: first.snapshot });
      } catch (error) {
        if (error instanceof Stopped || io.signal.aborted) throw error;
        code = report(undefined, { error });
      }
      await out.done();
      return code;
    }
    let worst: number = EXIT.ok;
    const tally = new Map<string, number>();
    for await (const outcome of client.waitEach(refs, options)) {
      const code = report(outcome.ref, outcome);
      worst = worstExit(worst, code);
      const what = 'snapshot' in outcome ? outcome.snapshot.state : errorKind(outcome.error);
      tally.set(what, (tally.get(what) ?? 0) + 1);
    }
    await out.done();
    if (!cmd.quiet || worst !== EXIT.ok) {
      const parts = [...tally].map(([what, n]) => `${n} ${what}`).join(', ');
      io.err.line(`${refs.length} tasks after ${formatDuration(Date.now() - started)}: ${parts}`);
    }
    return worst;
  } catch (error) {
    await out.done().catch(() => {});
    if (error instanceof Stopped && error.by !== 'EPIPE') {
      io.err.line(
        `taskwait: ${error.by === 'SIGINT' ? 'interrupted' : 'terminated'}: stopped waiting for ${refs.length} ${name} tasks after ${formatDuration(Date.now() - started)}. The tasks themselves go on at ${name}.`,
      );
    }
    throw error;
  }
}

/** JSON lines on stdout, written one after the other from synchronous callbacks. */
class Lines {
  readonly #io: CommandIo;
  readonly #on: boolean;
  #chain: Promise<void> = Promise.resolve();
  #failure: unknown;

  constructor(io: CommandIo, on: boolean) {
    this.#io = io;
    this.#on = on;
  }

  json(value: unknown): void {
    if (!this.#on) return;
    const line = `${JSON.stringify(value)}\n`;
    this.#chain = this.#chain.then(() =>
      this.#failure === undefined
        ? this.#io.out.write(line).catch((error: unknown) => {
            this.#failure = error;
          })
        : undefined,
    );
  }

  /** Resolves when every line is written; rejects with what stopped the writing. */
  async done(): Promise<void> {
    await this.#chain;
    if (this.#failure !== undefined) throw this.#failure;
  }
}

function describeError(error: unknown): Record<string, unknown> {
  if (error instanceof TaskwaitError) {
    const { name, message } = error;
    const status = (error as { status?: unknown }).status;
    return typeof status === 'number' ? { name, message, status } : { name, message };
  }
  return { name: (error as Error)?.name ?? 'Error', message: String((error as Error)?.message ?? error) };
}

function errorKind(error: unknown): string {
  const code = exitCodeFor(error);
  if (code === EXIT.timedOut) return 'timed out';
  if (code === EXIT.auth) return 'unauthorized';
  return 'errors';
}
