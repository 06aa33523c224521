// HttpError carries the response's headers, redacted, and its request id.
import { HttpResponse, http } from 'msw';
import { describe, expect, it } from 'vitest';
import { createClient, HttpError } from '../../../src/index.js';
import { acme } from '../../helpers/acme.js';
import { jobs, serveJob } from '../../helpers/jobs.js';
import { useMsw } from '../../helpers/server.js';

const server = useMsw();
const TOKEN = 'sk_live_Hdr5ecretValue31';
const once = { token: TOKEN, retry: { retries: 0 }, telemetry: false as const };

async function failure(headers: Record<string, string>, client = createClient(jobs, once)): Promise<HttpError> {
  serveJob(server, [() => new HttpResponse('nope', { status: 400, headers })]);
  const error = await client.get('j-1').catch((e: unknown) => e);
  if (!(error instanceof HttpError)) throw new Error(`expected an HttpError, got ${String(error)}`);
  return error;
}

describe('HttpError headers', () => {
  it('keeps plain headers and leaves out cookies and anything named like a credential', async () => {
    const error = await failure({
      'x-ratelimit-remaining': '0',
      'set-cookie': 'session=abc123',
      'www-authenticate': 'Bearer realm="jobs"',
      'x-api-key': 'k-123456',
      'x-session-id': 's-1',
      'x-upstream-token': 'zzz',
    });
    expect(error.headers).toEqual({ 'content-type': 'text/plain;charset=UTF-8', 'x-ratelimit-remaining': '0' });
    expect(Object.isFrozen(error.headers)).toBe(true);
  });

  it('redacts values (and names) that hold the token or a known token form, and cuts long values', async () => {
    const error = await failure({
      'x-echo': `you sent ${TOKEN}`,
      'x-debug': 'Bearer abcdefghijklmnop',
      'x-long': 'a'.repeat(1000),
    });
    expect(error.headers['x-echo']).toBe('you sent [REDACTED]');
    expect(error.headers['x-debug']).toBe('Bearer [REDACTED]');
    expect(error.headers['x-long']).toBe(`${'a'.repeat(300)}…`);
    expect(JSON.stringify(error.toJSON())).not.toContain(TOKEN);
  });

  it('is an empty object when the response had none worth keeping', async () => {
    serveJob(server, [() => new Response(null, { status: 404 })]);
    const error = (await createClient(jobs, once)
      .get('j-1')
      .catch((e: unknown) => e)) as HttpError;
    expect(error.headers).toEqual({});
  });
});

describe('HttpError requestId', () => {
  it('reads the vendor’s documented header first', async () => {
    const error = await failure({ 'x-request-id': 'generic-1', 'x-jobs-trace': 'vendor-1' });
    expect(error.requestId).toBe('vendor-1');
    expect(error.toJSON()).toMatchObject({ requestId: 'vendor-1' });
  });

  it('falls back to x-request-id, request-id and x-amzn-requestid, in that order', async () => {
    const acmeClient = createClient(acme, once);
    const acmeFailure = async (headers: Record<string, string>) => {
      server.use(http.get('https://api.acme.test/v2/jobs/:id', () => new HttpResponse('x', { status: 500, headers })));
      return (await acmeClient.get('j').catch((e: unknown) => e)) as HttpError;
    };
    expect((await acmeFailure({ 'request-id': 'b', 'x-request-id': 'a' })).requestId).toBe('a');
    expect((await acmeFailure({ 'x-amzn-requestid': 'c', 'request-id': 'b' })).requestId).toBe('b');
    expect((await acmeFailure({ 'x-amzn-requestid': 'c' })).requestId).toBe('c');
    const none = await acmeFailure({});
    expect(none.requestId).toBeUndefined();
    expect(JSON.parse(JSON.stringify(none.toJSON()))).not.toHaveProperty('requestId');
  });
});
