// A tiny fake task API for the package checks: `GET /tasks/:id` walks queued → running → done (or
// → broken for ids that start with "fail"), answers CORS preflights, and wants `Bearer test-token`.
// To be replaced by the testing kit's loopback server (taskwait/testing/server) once it lands.
import { createServer } from 'node:http';

export const TOKEN = 'test-token';

/** Starts the server on 127.0.0.1 and an ephemeral port. */
export async function startTaskServer() {
  const polls = new Map();
  const seen = { preflights: 0, gets: 0, unauthorized: 0, origins: new Set() };
  const server = createServer((req, res) => {
    const cors = {
      'access-control-allow-origin': '*',
      'access-control-allow-methods': 'GET, POST, DELETE, OPTIONS',
      'access-control-allow-headers': 'authorization, content-type, accept',
      'access-control-expose-headers': 'retry-after',
    };
    if (req.headers.origin) seen.origins.add(req.headers.origin);
    if (req.method === 'OPTIONS') {
      seen.preflights++;
      res.writeHead(204, cors).end();
      return;
    }
    const send = (status, body) =>
      res
        .writeHead(status, { ...cors, 'content-type': 'application/json', 'cache-control': 'no-store' })
        .end(JSON.stringify(body));
    const match = /^\/tasks\/([\w-]{1,64})$/.exec(new URL(req.url ?? '/', 'http://127.0.0.1').pathname);
    if (req.method !== 'GET' || !match) return send(404, { error: 'not found' });
    if (req.headers.authorization !== `Bearer ${TOKEN}`) {
      seen.unauthorized++;
      return send(401, { error: 'unauthorized' });
    }
    seen.gets++;
    const id = match[1];
    const poll = (polls.get(id) ?? 0) + 1;
    polls.set(id, poll);
    if (poll === 1) return send(200, { id, status: 'queued' });
    if (poll === 2) return send(200, { id, status: 'running', percent: 50 });
    if (id.startsWith('fail')) return send(200, { id, status: 'broken', percent: 50, error: 'the job broke' });
    return send(200, { id, status: 'done', percent: 100 });
  });
  server.keepAliveTimeout = 1000;
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    polls,
    seen,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
