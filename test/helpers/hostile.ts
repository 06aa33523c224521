// Loopback servers that misbehave on purpose: headers that never come, a body that trickles
// forever, any status and body. Each answer is decided per request by the test.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** A server started by {@link startHostile}. */
export interface HostileServer {
  url: string;
  /** Requests received, in order: method and path with query. */
  readonly requests: { method: string; path: string }[];
  /**
   * Connections that carried a request and that the client still holds open. (An idle connection
   * that undici opens ahead for its pool is not counted: it carries nothing and closes itself.)
   */
  readonly openSockets: number;
  close(): Promise<void>;
}

/** How the server answers one request. */
export type Behaviour = (request: IncomingMessage, response: ServerResponse) => void;

/** Accepts the request and never answers (no status line, no headers). */
export const stallHeaders: Behaviour = () => {};

/** `200` with chunked JSON, then one byte every `everyMs`, forever. */
export function trickle(everyMs = 100): Behaviour {
  return (_, response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.write('{"task_id":"t1","status":"PROCESSING"');
    const timer = setInterval(() => response.write(' '), everyMs);
    response.on('close', () => clearInterval(timer));
  };
}

/** `status` with `body` (JSON text unless it is a string already). */
export function answer(status: number, body: unknown, headers: Record<string, string> = {}): Behaviour {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return (_, response) => {
    response.writeHead(status, { 'content-type': 'application/json', ...headers });
    response.end(text);
  };
}

export async function startHostile(behave: Behaviour): Promise<HostileServer> {
  const requests: { method: string; path: string }[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((request, response) => {
    requests.push({ method: request.method ?? 'GET', path: request.url ?? '/' });
    const socket = request.socket;
    if (!socket.readableEnded && !socket.destroyed) sockets.add(socket);
    behave(request, response);
  });
  server.on('connection', (socket) => {
    // The client's end, or a reset: node's HTTP server keeps its own side half-open meanwhile.
    socket.on('end', () => sockets.delete(socket));
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    get openSockets() {
      return sockets.size;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
