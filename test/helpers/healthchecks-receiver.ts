import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One ping as healthchecks.io would log it. */
export interface Ping {
  /** The check's UUID, or "<ping key>/<slug>". */
  check: string;
  kind: 'success' | 'fail';
  method: string;
  body: string;
}

export type Answer = [number, string] | 'hang';

export interface HealthchecksReceiver {
  /** e.g. http://127.0.0.1:PORT/ping/ — append a UUID (or key/slug) for a ping_url. */
  baseUrl: string;
  pings: Ping[];
  /** Every request line that arrived, including rejected ones. */
  requests: string[];
  /** Checks that exist; a ping to any other answers 404 "not found". */
  checks: Set<string>;
  /** Answers to give a check's next requests, in order, before it is served normally. */
  queued: Map<string, Answer[]>;
  close(): Promise<void>;
}

/**
 * A stand-in for the healthchecks.io pinging API: any of GET, POST and HEAD on
 * /ping/<uuid> or /ping/<ping key>/<slug> records a success, the same with /fail appended a
 * failure; the request body (up to 100 kB) is kept as the ping's log; a known check answers
 * 200 "OK", an unknown one 404 "not found".
 */
export async function startHealthchecksReceiver(checks: Iterable<string> = []): Promise<HealthchecksReceiver> {
  const state: Omit<HealthchecksReceiver, 'baseUrl' | 'close'> = { pings: [], requests: [], checks: new Set(checks), queued: new Map() };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    state.requests.push(`${req.method} ${req.url}`);
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const send = (code: number, text: string) => {
        res.writeHead(code, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(text);
      };
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      const match = /^\/ping\/([^/]+(?:\/[^/]+)??)(\/fail)?$/.exec(path);
      if (!match || !['GET', 'POST', 'HEAD'].includes(req.method ?? '')) return send(404, 'not found');
      const check = decodeURIComponent(match[1]!);
      const next = state.queued.get(check)?.shift();
      if (next === 'hang') return; // never answers: the client's timeout must fire
      if (next) return send(next[0], next[1]);
      if (!state.checks.has(check)) return send(404, 'not found');
      state.pings.push({
        check,
        kind: match[2] ? 'fail' : 'success',
        method: req.method!,
        body: Buffer.concat(chunks).subarray(0, 100_000).toString('utf8'),
      });
      send(200, 'OK');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    ...state,
    baseUrl: `http://127.0.0.1:${port}/ping/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  } as HealthchecksReceiver;
}
