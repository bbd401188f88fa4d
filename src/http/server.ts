import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ListenAddress } from './listen.js';
import { STATUS_PAGE_HEADERS } from './status-page.js';

export interface Endpoints {
  /** Prometheus text exposition and its content type. */
  metrics(): { body: string; contentType: string };
  health(): { ok: boolean; reason: string };
  /** The text of `status --json` (result-json.ts). */
  status(): string;
  /** The HTML page for people (GET /). */
  statusPage(): string;
}

export interface HttpEndpoint {
  /** "http://127.0.0.1:9469", with the port actually bound. */
  url: string;
  close(): Promise<void>;
}

/** Serves /, /metrics, /healthz and /status; read-only, GET and HEAD only. */
export async function startHttpEndpoint(address: ListenAddress, endpoints: Endpoints): Promise<HttpEndpoint> {
  const server = createServer((request, response) => handle(request, response, endpoints));
  // Scrapers open one connection or two; a client opening hundreds must not make a
  // process that runs for months grow.
  server.maxConnections = 64;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(address.port, address.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = server.address() as AddressInfo;
  const host = bound.family === 'IPv6' ? `[${bound.address}]` : bound.address;
  return {
    url: `http://${host}:${bound.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function handle(request: IncomingMessage, response: ServerResponse, endpoints: Endpoints): void {
  const path = new URL(request.url ?? '/', 'http://localhost').pathname;
  const send = (code: number, contentType: string, body: string, headers: Readonly<Record<string, string>> = {}) => {
    response.writeHead(code, { 'content-type': contentType, 'cache-control': 'no-store', ...headers });
    response.end(request.method === 'HEAD' ? undefined : body);
  };
  if (!['/', '/metrics', '/healthz', '/status'].includes(path)) {
    send(404, 'text/plain; charset=utf-8', 'not found: try /, /metrics, /healthz or /status\n');
    return;
  }
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.setHeader('allow', 'GET, HEAD');
    send(405, 'text/plain; charset=utf-8', 'method not allowed\n');
    return;
  }
  try {
    if (path === '/') {
      send(200, 'text/html; charset=utf-8', endpoints.statusPage(), STATUS_PAGE_HEADERS);
    } else if (path === '/metrics') {
      const { body, contentType } = endpoints.metrics();
      send(200, contentType, body);
    } else if (path === '/healthz') {
      const health = endpoints.health();
      send(health.ok ? 200 : 503, 'text/plain; charset=utf-8', `${health.reason}\n`);
    } else {
      send(200, 'application/json', endpoints.status());
    }
  } catch (error) {
    send(500, 'text/plain; charset=utf-8', `internal error: ${(error as Error).message}\n`);
  }
}
