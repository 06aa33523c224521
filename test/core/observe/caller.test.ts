// Errors point at the caller: the error a wait rejects with carries the frames of the call that
// started it, after its own.
import { HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { ConfigError, createClient, HttpError, TaskFailedError } from '../../../src/index.js';
import { jobs, serveJob } from '../../helpers/jobs.js';
import { useMsw } from '../../helpers/server.js';

const server = useMsw();
const fast = {
  token: 'test-token',
  retry: { retries: 0 },
  wait: { minDelayMs: 1, maxDelayMs: 1 },
  telemetry: false as const,
};
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

/** This file's name and the line `here` was made on, as a stack names them. */
function lineOf(here: Error, below = 0): string {
  const frame = (here.stack ?? '').split('\n').find((line) => line.includes('caller.test.ts')) ?? '';
  const match = /caller\.test\.ts:(\d+):\d+/.exec(frame);
  return `caller.test.ts:${Number(match?.[1]) + below}:`;
}

/** The part of a stack after the marker the wait appends. */
function appended(stack: string | undefined, call: string): string {
  const marker = `\n--- ${call} was called at ---\n`;
  const at = (stack ?? '').indexOf(marker);
  return at < 0 ? '' : (stack ?? '').slice(at + marker.length);
}

describe('the stack of a failed wait', () => {
  it('names the line that called waitAll(), waitEach() or waitAny() for each task’s error', async () => {
    serveJob(server, [() => new HttpResponse(null, { status: 401 })]);
    const client = createClient(jobs, fast);
    const [all, hereAll] = [client.waitAll(['j-1', 'j-2']), new Error()];
    const allError = await all.catch((e: unknown) => e);
    expect(allError).toBeInstanceOf(HttpError);
    expect(appended((allError as Error).stack, 'waitAll()').split('\n')[0]).toContain(lineOf(hereAll));

    const [any, hereAny] = [client.waitAny(['j-3']), new Error()];
    const anyError = await any.catch((e: unknown) => e);
    expect(appended((anyError as Error).stack, 'waitAny()').split('\n')[0]).toContain(lineOf(hereAny));

    const [each, hereEach] = [client.waitEach(['j-4']), new Error()];
    const outcomes = [];
    for await (const outcome of each) outcomes.push(outcome);
    const eachError = (outcomes[0] as { error?: Error }).error;
    expect(eachError).toBeInstanceOf(HttpError);
    expect(appended(eachError?.stack, 'waitEach()').split('\n')[0]).toContain(lineOf(hereEach));
  });

  it('names the line that called wait(), after the library’s own frames', async () => {
    serveJob(server, [() => new HttpResponse(null, { status: 401 })]);
    const client = createClient(jobs, fast);
    const [pending, here] = [client.wait('j-1'), new Error()];
    const error = await pending.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpError);
    const frames = appended((error as Error).stack, 'wait()');
    expect(frames.split('\n')[0]).toContain(lineOf(here));
    expect(frames.split('\n')[0]).toMatch(/^\s+at /);
    // The error's own frames come first, unchanged.
    expect(
      (error as Error).stack?.startsWith('HttpError: jobs: GET https://api.jobs.test/v1/jobs/j-1 answered 401'),
    ).toBe(true);
  });

  it('names the line for a task that failed, a poll() and a resume()', async () => {
    const client = createClient(jobs, fast);
    serveJob(server, [{ state: 'broken' }]);
    const [failed, hereWait] = [client.wait('j-1'), new Error()];
    const taskError = await failed.catch((e: unknown) => e);
    expect(taskError).toBeInstanceOf(TaskFailedError);
    expect(appended((taskError as Error).stack, 'wait()')).toContain(lineOf(hereWait));

    // poll() names the line that called it, with or without an observer on the requests.
    for (const options of [fast, { ...fast, logLevel: 'debug' as const, logger: quiet }]) {
      serveJob(server, [() => new HttpResponse(null, { status: 403 })]);
      const polling = createClient(jobs, options);
      let pollError: unknown;
      const before = new Error();
      try {
        await polling.poll('j-1');
      } catch (error) {
        pollError = error;
      }
      expect(pollError).toBeInstanceOf(HttpError);
      // The call is two lines below `before`.
      expect(appended((pollError as Error).stack, 'poll()')).toContain(lineOf(before, 2));
    }

    // Also through Promise.all, and for a ref refused before any request.
    serveJob(server, [() => new HttpResponse(null, { status: 403 })]);
    const allBefore = new Error();
    const viaAll = await Promise.all([client.poll('j-1')]).catch((e: unknown) => e);
    expect(viaAll).toBeInstanceOf(HttpError);
    expect(appended((viaAll as Error).stack, 'poll()')).toContain(lineOf(allBefore, 1));
    const refBefore = new Error();
    const badRef = await client.poll('').catch((e: unknown) => e);
    expect(badRef).toBeInstanceOf(ConfigError);
    expect(appended((badRef as Error).stack, 'poll()')).toContain(lineOf(refBefore, 1));

    serveJob(server, [{ state: 'working' }, () => new HttpResponse(null, { status: 404 })]);
    const step = await client.poll('j-2');
    const [resumed, hereResume] = [client.resume(step.resumeToken), new Error()];
    const resumeError = await resumed.catch((e: unknown) => e);
    expect(resumeError).toBeInstanceOf(HttpError);
    expect(appended((resumeError as Error).stack, 'resume()')).toContain(lineOf(hereResume));
  });

  it('names the line that called watch()', async () => {
    serveJob(server, [() => new HttpResponse(null, { status: 401 })]);
    const client = createClient(jobs, fast);
    const [loop, here] = [client.watch('j-1'), new Error()];
    const error = await (async () => {
      for await (const _ of loop) {
        // no snapshot comes
      }
    })().catch((e: unknown) => e);
    expect(appended((error as Error).stack, 'watch()')).toContain(lineOf(here));
  });

  it('keeps the first five frames, and captures nothing with stack traces turned off', async () => {
    const client = createClient(jobs, fast);
    serveJob(server, [() => new HttpResponse(null, { status: 401 })]);
    const error = (await client.wait('j-1').catch((e: unknown) => e)) as Error;
    expect(
      appended(error.stack, 'wait()')
        .split('\n')
        .filter((line) => line.trim() !== ''),
    ).toHaveLength(5);
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    let pending: Promise<unknown>;
    try {
      pending = client.wait('j-1');
    } finally {
      Error.stackTraceLimit = limit;
    }
    const bare = (await pending.catch((e: unknown) => e)) as Error;
    expect(bare).toBeInstanceOf(HttpError);
    expect(bare.stack).not.toContain('was called at');
  });

  it('leaves the caller’s own abort reason alone', async () => {
    serveJob(server, [{ state: 'working' }]);
    const client = createClient(jobs, { ...fast, wait: { minDelayMs: 1000 } });
    const stop = new AbortController();
    const reason = new Error('shutting down');
    const before = reason.stack;
    const pending = client.wait('j-1', { signal: stop.signal });
    await new Promise((resolve) => setTimeout(resolve, 20));
    stop.abort(reason);
    await expect(pending).rejects.toBe(reason);
    expect(reason.stack).toBe(before);
  });
});
