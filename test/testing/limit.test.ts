// The fake servers' rate limit (startFakeServer / taskwaitHandlers `rateLimit`).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConfigError } from '../../src/index.js';
import { fakeTask, postmanFake, taskwaitHandlers } from '../../src/testing/index.js';
import { useMsw } from '../helpers/server.js';

const server = useMsw();
const URL_OF = (id: string) => `https://api.getpostman.com/collection-updates-tasks/${id}`;

async function hit(id: string, key = 'PMAK-one') {
  const response = await fetch(URL_OF(id), { headers: { 'x-api-key': key } });
  return { status: response.status, headers: Object.fromEntries(response.headers) };
}

describe('a rate-limited fake server', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_700_000_000_000, toFake: ['Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("answers each token's requests beyond the limit 429, with Retry-After and Postman's headers", async () => {
    const task = fakeTask(postmanFake, { kind: 'collection-update', phases: [{ state: 'running', polls: 100 }] });
    server.use(...taskwaitHandlers(task, { rateLimit: { limit: 2, windowMs: 60_000 } }));
    vi.setSystemTime(1_700_000_080_000);
    const first = await hit(task.id);
    expect(first.status).toBe(200);
    expect(first.headers).toMatchObject({
      ratelimit: 'limit=2, remaining=1, reset=20',
      'ratelimit-policy': '2;w=60',
      'x-ratelimit-limit': '2',
      'x-ratelimit-remaining': '1',
      'x-ratelimit-reset': '1700000100',
    });
    expect((await hit(task.id)).status).toBe(200);
    const third = await hit(task.id);
    expect(third.status).toBe(429);
    expect(third.headers).toMatchObject({
      'retry-after': '20',
      'x-ratelimit-retryafter': '20',
      retryafter: '20',
      'x-ratelimit-remaining': '0',
    });
    // Another token has its own count; the next window starts afresh.
    expect((await hit(task.id, 'PMAK-two')).status).toBe(200);
    vi.setSystemTime(1_700_000_100_000);
    expect((await hit(task.id)).status).toBe(200);
    // The 429 was no poll of the task.
    expect(task.polls).toBe(4);
    expect(task.requests.map((r) => r.status)).toEqual([200, 200, 200, 200]);
  });

  it('speaks the IETF fields when asked, in decimal seconds for a window below a second', async () => {
    const task = fakeTask(postmanFake, { kind: 'collection-update', phases: [{ state: 'running', polls: 100 }] });
    server.use(...taskwaitHandlers(task, { rateLimit: { limit: 1, windowMs: 250, headers: 'ietf' } }));
    vi.setSystemTime(1_700_000_000_100);
    expect((await hit(task.id)).headers).toMatchObject({
      ratelimit: '"default";r=0;t=0.150',
      'ratelimit-policy': '"default";q=1;w=0.250',
    });
    const limited = await hit(task.id);
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBe('0.150');
    expect(limited.headers['x-ratelimit-remaining']).toBeUndefined();
  });

  it('refuses a limit below 1', () => {
    expect(() => taskwaitHandlers([], { rateLimit: { limit: 0 } })).toThrow(ConfigError);
  });
});
