import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConnectionCap } from './connections.js';
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

/** How long a client may take, and how many may be connected (docs/daemon.md "HTTP endpoint"). */
export interface EndpointLimits {
  /** Connections open at once; at the cap a new one still gets in (connections.ts). */
  connections: number;
  /** A whole request (line and headers; a body too) must arrive within this, else 408 and closed. */
  requestMs: number;
  /** An idle keep-alive connection is closed after this. */
  keepAliveMs: number;
  /** A connection with no traffic either way for this long is closed (a client that stopped reading). */
  idleMs: number;
  /** How often Node looks for requests past `requestMs`: that bound holds within this much more. */
  checkEveryMs: number;
}

export const ENDPOINT_LIMITS: EndpointLimits = { connections: 64, requestMs: 10_000, keepAliveMs: 5_000, idleMs: 30_000, checkEveryMs: 1_000 };

export interface EndpointOptions {
  limits?: EndpointLimits;
  /** An answer that failed in a way no client caused (logged by the daemon). */
  onError?: (error: unknown, path: string) => void;
}

const PATHS = ['/', '/metrics', '/healthz', '/status'];

/**
 * Serves /, /metrics, /healthz and /status; read-only, GET and HEAD only. Nothing a client
 * sends can end the process or make /healthz unreachable: a request target that is not a URL
 * gets 400, an error while answering 500, and slow or stalled clients are bounded by
 * `limits`. Malformed HTTP (a bad request line, oversized headers) is Node's to answer: its
 * default 'clientError' handling sends 400, 408 or 431 and closes the connection.
 */
export async function startHttpEndpoint(address: ListenAddress, endpoints: Endpoints, options: EndpointOptions = {}): Promise<HttpEndpoint> {
  const limits = options.limits ?? ENDPOINT_LIMITS;
  const server = createServer({
    headersTimeout: limits.requestMs,
    requestTimeout: limits.requestMs,
    keepAliveTimeout: limits.keepAliveMs,
    connectionsCheckingInterval: limits.checkEveryMs,
  });
  // No 'timeout' listener: Node then destroys a socket idle for this long.
  server.setTimeout(limits.idleMs);
  const cap = new ConnectionCap(limits.connections);
  server.on('connection', (socket) => cap.admit(socket));
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    const socket = request.socket;
    cap.responding(socket);
    response.once('close', () => cap.done(socket));
    answer(request, response, endpoints, options.onError);
  });
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

/** The path of a request target; undefined when it is not a URL (`http://[`, port 99999). */
export function requestPath(target: string | undefined): string | undefined {
  try {
    return new URL(target ?? '/', 'http://localhost').pathname;
  } catch {
    return undefined;
  }
}

/** One request's answer. Never throws: a listener that throws would end the daemon. */
function answer(request: IncomingMessage, response: ServerResponse, endpoints: Endpoints, onError: EndpointOptions['onError']): void {
  const path = requestPath(request.url);
  try {
    route(request, response, endpoints, path);
  } catch (error) {
    try {
      onError?.(error, path ?? '?');
    } catch {
      // A logger that fails must not turn one bad answer into a dead process either.
    }
    if (response.headersSent) response.destroy();
    // The message stays in the log, where it is masked: an error can quote a value, and
    // anybody who reaches the port reads this answer.
    else send(request, response, 500, 'text/plain; charset=utf-8', 'internal error (the daemon logged it)\n');
  }
}

function route(request: IncomingMessage, response: ServerResponse, endpoints: Endpoints, path: string | undefined): void {
  if (path === undefined) {
    send(request, response, 400, 'text/plain; charset=utf-8', 'bad request: the request target is not a URL\n');
    return;
  }
  if (!PATHS.includes(path)) {
    send(request, response, 404, 'text/plain; charset=utf-8', 'not found: try /, /metrics, /healthz or /status\n');
    return;
  }
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.setHeader('allow', 'GET, HEAD');
    send(request, response, 405, 'text/plain; charset=utf-8', 'method not allowed\n');
    return;
  }
  if (path === '/') {
    send(request, response, 200, 'text/html; charset=utf-8', endpoints.statusPage(), STATUS_PAGE_HEADERS);
  } else if (path === '/metrics') {
    const { body, contentType } = endpoints.metrics();
    send(request, response, 200, contentType, body);
  } else if (path === '/healthz') {
    const health = endpoints.health();
    send(request, response, health.ok ? 200 : 503, 'text/plain; charset=utf-8', `${health.reason}\n`);
  } else {
    send(request, response, 200, 'application/json', endpoints.status());
  }
}

function send(request: IncomingMessage, response: ServerResponse, code: number, contentType: string, body: string, headers: Readonly<Record<string, string>> = {}): void {
  response.writeHead(code, { 'content-type': contentType, 'cache-control': 'no-store', ...headers });
  response.end(request.method === 'HEAD' ? undefined : body);
}
