import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createClient } from '../../src/index.js';
import { acme } from '../helpers/acme.js';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterAll(() => server.close());

it('smoke', async () => {
  let n = 0;
  server.use(
    http.get('https://api.acme.test/v2/jobs/j1', () => {
      n++;
      return HttpResponse.json({ id: 'j1', state: n < 3 ? 'working' : 'done', percent: n * 30 });
    }),
  );
  const client = createClient(acme, { token: 'secret-token', wait: { minDelayMs: 1, maxDelayMs: 5 } });
  const seen: number[] = [];
  const snap = await client.wait('j1', { onProgress: (s) => seen.push(s.progress ?? -1) });
  expect(snap.state).toBe('succeeded');
  expect(seen).toEqual([0.3, 0.6, 0.9]);
});
