/**
 * The `taskwait` bin: wait for a vendor's task from a shell or CI step. Uses the library through
 * its public API only, and is bundled on its own (`dist/cli/index.js`), so nothing here reaches
 * `import 'taskwait'`.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { type Command, parseCommand } from './args.js';
import { EXIT, exitCodeFor, MissingTokenError, Stopped, UsageError } from './exit.js';
import { commandHelp, helpText, USAGE } from './help.js';
import { isGroupWait, waitManyCommand } from './many.js';
import { DataOut, MessageOut, Secrets, useColor } from './output.js';
import { pagingCommand } from './paging.js';
import { GENERIC_TOKEN_ENV, tokenFor, tokenVariables } from './vendors.js';
import { stderrLogger } from './verbose.js';
import { getCommand, waitCommand } from './wait.js';

/** Runs the bin with `argv` (without `node` and the script); resolves with the exit code. */
async function main(argv: readonly string[]): Promise<number> {
  const stop = new AbortController();
  const secrets = new Secrets();
  // Every token the environment holds, before anything is printed: a usage error may quote input.
  for (const name of tokenVariables()) secrets.add(process.env[name]?.trim());
  const err = new MessageOut(process.stderr, secrets);
  const out = new DataOut(process.stdout, secrets, stop.signal);

  let signals = 0;
  const onSignal = (signal: 'SIGINT' | 'SIGTERM') => {
    signals += 1;
    if (signals > 1) {
      // A second Ctrl-C: don't wait for the clean stop.
      if (err.isTTY) err.raw('\r\x1b[2K');
      err.line(`taskwait: ${signal} again: exiting at once`);
      process.exit(signal === 'SIGINT' ? EXIT.interrupted : EXIT.terminated);
    }
    stop.abort(new Stopped(signal));
  };
  const onStdoutError = (error: NodeJS.ErrnoException) => {
    // The reader went away (`| head`): stop quietly. Anything else is reported by the command.
    if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') stop.abort(new Stopped('EPIPE'));
    else stop.abort(error);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.stdout.on('error', onStdoutError);

  let command: Command | undefined;
  let tokenFrom: string | undefined;
  try {
    command = parseCommand(argv);
    if (command.kind === 'help') {
      await out.write(command.command === undefined ? helpText(version()) : commandHelp(command.command));
      return EXIT.ok;
    }
    if (command.kind === 'version') {
      await out.write(`${version()}\n`);
      return EXIT.ok;
    }
    const { token, from } = tokenFor(command.vendor, process.env);
    tokenFrom = from;
    const io = {
      out,
      err,
      signal: stop.signal,
      token,
      logger: stderrLogger(err),
      color: useColor(process.stderr, process.env),
      readText: (source: string) => readText(source, stop.signal),
    };
    switch (command.kind) {
      case 'wait':
        return await (isGroupWait(command) ? waitManyCommand : waitCommand)(command, io);
      case 'get':
        return await getCommand(command, io);
      default:
        return await pagingCommand(command, io);
    }
  } catch (error) {
    const code = exitCodeFor(error);
    report(error, code, err, command, tokenFrom);
    return code;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

function report(
  error: unknown,
  code: number,
  err: MessageOut,
  command: Command | undefined,
  tokenFrom: string | undefined,
): void {
  if (error instanceof Stopped) {
    // The wait says what it stopped; a closed stdout needs no words.
    if (error.by !== 'EPIPE' && command?.kind !== 'wait') err.line(`taskwait: ${error.message}`);
    return;
  }
  if (code === EXIT.usage) {
    // A UsageError, or the library's ConfigError (a task id it can't put in a URL, say).
    err.line(
      `taskwait: ${(error as Error).message}\n${USAGE}\nRun 'taskwait --help' for the task refs, tokens and exit codes.`,
    );
    return;
  }
  if (code === EXIT.internal) {
    const detail = process.env.TASKWAIT_DEBUG
      ? String((error as Error)?.stack ?? error)
      : String((error as Error)?.message ?? error);
    err.line(`taskwait: internal error: ${detail}\n(set TASKWAIT_DEBUG=1 for the stack; please report it)`);
    return;
  }
  err.line(`taskwait: ${(error as Error).message}`);
  if (code === EXIT.auth && command && 'vendor' in command && !(error instanceof MissingTokenError)) {
    const where = tokenFrom
      ? `the token came from ${tokenFrom}`
      : `no token was set: set ${command.vendor.env} (or ${GENERIC_TOKEN_ENV})`;
    err.line(`taskwait: ${where}`);
  }
}

/** A file's text, or stdin's for `-`; a UsageError when the file can't be read. */
async function readText(source: string, signal: AbortSignal): Promise<string> {
  if (source !== '-') {
    try {
      return await readFile(source, { encoding: 'utf8', signal });
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      throw new UsageError(`--refs ${source}: can't read it (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }
  const chunks: Buffer[] = [];
  const onAbort = () => process.stdin.destroy();
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
  signal.throwIfAborted();
  return Buffer.concat(chunks).toString('utf8');
}

function version(): string {
  try {
    // dist/cli/index.js (or src/cli/index.ts) → the package root.
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version?: string | undefined;
    };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

const code = await main(process.argv.slice(2));
process.exitCode = code;
// Nothing should be left running; if something is, don't let it hold the exit hostage.
setTimeout(() => process.exit(code), 2000).unref();
