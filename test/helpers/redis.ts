// A throwaway Redis: Debian's redis-server on a free loopback port, persistence off, in a temp
// dir; stopped by stop(), and killed with this process whatever happens. Used by the BullMQ tests,
// the queue demo and the queue benchmark. No mock: the real server.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';

/** A running redis-server. */
export interface RedisServer {
  readonly host: string;
  readonly port: number;
  /** The redis-server process id (changes on restart). */
  readonly pid: number;
  /** Options for BullMQ: a Worker needs `maxRetriesPerRequest: null` to wait out an outage. */
  connection(extra?: { maxRetriesPerRequest?: number | null }): {
    host: string;
    port: number;
    maxRetriesPerRequest?: number | null;
  };
  /** Sends one command on the helper's own connection. */
  command(name: string, ...args: (string | number)[]): Promise<unknown>;
  /** `INFO <section>` as a map. */
  info(section: string): Promise<Map<string, string>>;
  /** Goes away and comes back: saves, shuts down (every client is cut off), waits `downMs`, starts again with the data. */
  restart(downMs: number): Promise<void>;
  /** Shuts the server down and removes its directory. */
  stop(): Promise<void>;
}

/** The path of redis-server, or undefined when it is not installed. */
export function findRedisServer(): string | undefined {
  try {
    return execFileSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Whether the BullMQ suites can run here; in CI a missing redis-server is an error, not a skip. */
export function redisAvailable(): boolean {
  const found = findRedisServer() !== undefined;
  if (!found && process.env.CI)
    throw new Error('redis-server is not installed: .ci/run installs it (apt-get install redis-server)');
  return found;
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export async function startRedis(): Promise<RedisServer> {
  const bin = findRedisServer();
  if (!bin) throw new Error('redis-server is not installed (apt-get install redis-server)');
  const dir = mkdtempSync(join(tmpdir(), 'taskwait-redis-'));
  const host = '127.0.0.1';
  const port = await freePort(host);
  let child = await launch(bin, dir, host, port);
  let admin = adminClient(host, port);

  return {
    host,
    port,
    get pid() {
      return child.pid ?? -1;
    },
    connection: (extra = {}) => ({ host, port, ...extra }),
    command: (name, ...args) => admin.call(name, ...args),
    async info(section) {
      const text = String(await admin.call('INFO', section));
      const map = new Map<string, string>();
      for (const line of text.split('\r\n')) {
        const at = line.indexOf(':');
        if (at > 0) map.set(line.slice(0, at), line.slice(at + 1));
      }
      return map;
    },
    async restart(downMs) {
      admin.disconnect();
      const exited = once(child, 'exit');
      const shut = adminClient(host, port);
      await shut.call('SHUTDOWN', 'SAVE').catch(() => undefined);
      shut.disconnect();
      await exited;
      live.delete(child);
      await new Promise((resolve) => setTimeout(resolve, downMs));
      child = await launch(bin, dir, host, port);
      admin = adminClient(host, port);
    },
    async stop() {
      admin.disconnect();
      if (child.exitCode === null && child.signalCode === null) {
        const exited = once(child, 'exit');
        child.kill('SIGTERM');
        await exited;
      }
      live.delete(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function adminClient(host: string, port: number): Redis {
  // No reconnection: the helper's own connection must never outlive the server it talks to.
  return new Redis({ host, port, lazyConnect: false, maxRetriesPerRequest: 1, retryStrategy: () => null });
}

async function launch(bin: string, dir: string, host: string, port: number): Promise<ChildProcess> {
  const args = [
    '--port',
    String(port),
    '--bind',
    host,
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    dir,
    '--maxmemory-policy',
    'noeviction',
    '--daemonize',
    'no',
  ];
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  let output = '';
  const ready = new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk;
      if (/Ready to accept connections/.test(output)) {
        child.stdout?.off('data', onData);
        child.stdout?.resume();
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk) => (output += chunk));
    child.once('exit', (code) => reject(new Error(`redis-server exited with ${code} before it was ready:\n${output}`)));
  });
  await ready;
  return child;
}

async function freePort(host: string): Promise<number> {
  const server = createServer();
  server.listen(0, host);
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (!address || typeof address === 'string') throw new Error('no free port');
  return address.port;
}
