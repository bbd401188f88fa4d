import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One beat as Uptime Kuma would store it. */
export interface Beat {
  token: string;
  status: 'up' | 'down';
  msg: string;
  ping: number | null;
  method: string;
  rawUrl: string;
  /** When it arrived (Date.now()). */
  at: number;
}

export interface PushReceiver {
  /** e.g. http://127.0.0.1:PORT/api/push/ — the push_url to configure. */
  pushUrl: string;
  beats: Beat[];
  /** Every request line that arrived, including rejected ones. */
  requests: string[];
  /** When each of `requests` arrived (Date.now()). */
  requestTimes: number[];
  /** Tokens of active monitors; a push to any other answers 404 as Kuma does. */
  tokens: Set<string>;
  /** Overrides the answer for a token (see Answer). */
  answers: Map<string, Answer>;
  /** Answers given in turn, one per request, before `answers` and the normal route apply. */
  sequences: Map<string, Answer[]>;
  /** Decides each request's answer before anything else when set (the soak's random faults). */
  fault?: (token: string) => Answer | undefined;
  /** Body bytes written by 'endless' answers so far: how much a client let itself be sent. */
  endlessBytes: number;
  /** The HTTP server, for a stand-in that serves more of Kuma on the same port (kuma-standin.ts). */
  server: Server;
  close(): Promise<void>;
}

/**
 * [status code, body] as given (JSON bodies get a JSON content type); 'hang': accept the
 * request and never answer; 'endless': 200 and a body that never ends, as fast as the
 * client reads it.
 */
export type Answer = [number, string] | 'hang' | 'endless';

/** Uptime Kuma 2.5.3's own answers, byte for byte (FACTS.md). */
export const KUMA = {
  ok: '{"ok":true}',
  notFound: '{"ok":false,"msg":"Monitor not found or not active."}',
  busy: '{"ok":false,"msg":"update `stat_daily` set ... - SQLITE_BUSY: database is locked"}',
  invalidPing: '{"ok":false,"msg":"Invalid ping value."}',
} as const;

const ENDLESS_CHUNK = Buffer.alloc(64 * 1024, 'x');

/**
 * A stand-in for Uptime Kuma's push route, following FACTS.md: any method on
 * /api/push/<token>, status "up" exactly means UP, msg empty means "OK", ping parsed with
 * parseFloat (0 or junk: null; negative or > 1e11: 404), unknown token: 404 ok:false.
 */
export async function startPushReceiver(tokens: Iterable<string> = []): Promise<PushReceiver> {
  const receiver: Omit<PushReceiver, 'pushUrl' | 'close' | 'server'> = { beats: [], requests: [], requestTimes: [], tokens: new Set(tokens), answers: new Map(), sequences: new Map(), endlessBytes: 0 };
  const endless = (res: ServerResponse) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    let open = true;
    res.on('close', () => (open = false));
    const pump = () => {
      while (open) {
        receiver.endlessBytes += ENDLESS_CHUNK.length;
        if (!res.write(ENDLESS_CHUNK)) return void res.once('drain', pump);
      }
    };
    pump();
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    receiver.requests.push(`${req.method} ${req.url}`);
    receiver.requestTimes.push(Date.now());
    const url = new URL(req.url ?? '/', 'http://x');
    const match = /^\/api\/push\/([^/]+)$/.exec(url.pathname);
    const send = (code: number, body: unknown) => {
      res.writeHead(code, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (!match) return send(404, { ok: false, msg: 'Not Found' });
    const token = decodeURIComponent(match[1]!);
    const override = receiver.fault?.(token) ?? receiver.sequences.get(token)?.shift() ?? receiver.answers.get(token);
    if (override === 'hang') return; // never answers: the client's timeout must fire
    if (override === 'endless') return endless(res);
    if (override) {
      res.writeHead(override[0], { 'content-type': override[1].startsWith('{') ? 'application/json; charset=utf-8' : 'text/plain' });
      res.end(override[1]);
      return;
    }
    const pingText = url.searchParams.get('ping');
    const pingValue = pingText === null ? NaN : Number.parseFloat(pingText);
    if (pingValue < 0 || pingValue > 1e11) return send(404, { ok: false, msg: 'Invalid ping value.' });
    if (!receiver.tokens.has(token)) return send(404, { ok: false, msg: 'Monitor not found or not active.' });
    const status = url.searchParams.get('status');
    receiver.beats.push({
      token,
      status: status === null || status === 'up' ? 'up' : 'down',
      msg: url.searchParams.get('msg') || 'OK',
      ping: Number.isFinite(pingValue) && pingValue !== 0 ? pingValue : null,
      method: req.method ?? 'GET',
      rawUrl: req.url ?? '',
      at: Date.now(),
    });
    send(200, { ok: true });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  // The receiver itself, not a copy: counters the server updates are read through it.
  return Object.assign(receiver, {
    pushUrl: `http://127.0.0.1:${port}/api/push/`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}
