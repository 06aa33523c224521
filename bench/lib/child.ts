/**
 * Child processes for the benchmarks: a loopback server in its own process (so its work is not
 * on the measured event loop), and re-running a bench under `--expose-gc`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** `node` flags that run a .ts file: tsx's loader, and `global.gc`. */
export function nodeFlags(): string[] {
  return ['--expose-gc', '--import', import.meta.resolve('tsx')];
}

/** A server started by {@link startServer}. */
export interface ServerProcess<Info> {
  url: string;
  info: Info;
  /** Stops the server process and waits for it to exit. */
  close(): Promise<void>;
}

/**
 * Starts `bench/lib/serve.ts <mode> [args]` in a child process on 127.0.0.1 and waits for the line
 * it prints once listening: `{ "url": ..., ...info }`.
 */
export async function startServer<Info = Record<string, unknown>>(
  mode: string,
  args: readonly string[] = [],
): Promise<ServerProcess<Info>> {
  const script = fileURLToPath(new URL('./serve.ts', import.meta.url));
  const child: ChildProcess = spawn(process.execPath, [...nodeFlags(), script, mode, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const exited = once(child, 'exit');
  const first = new Promise<string>((resolve, reject) => {
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`bench server (${mode}) exited with ${code} before listening`)));
  });
  const { url, ...info } = JSON.parse(await first) as { url: string } & Record<string, unknown>;
  return {
    url,
    info: info as Info,
    async close() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
      lines.close();
    },
  };
}

/**
 * When `global.gc` is missing (the bench was started with plain `tsx`), runs this same file again
 * with `--expose-gc` and exits with its status. Returns normally when gc is there.
 */
export async function ensureGc(moduleUrl: string): Promise<void> {
  if (typeof globalThis.gc === 'function') return;
  const child = spawn(process.execPath, [...nodeFlags(), fileURLToPath(moduleUrl), ...process.argv.slice(2)], {
    stdio: 'inherit',
  });
  const [code] = (await once(child, 'exit')) as [number | null];
  process.exit(code ?? 1);
}
