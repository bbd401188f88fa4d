import { createServer, request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  /** Path and query as sent, e.g. /restic?list-type=2&prefix=... */
  url: string;
  /** The access key id from the SigV4 Authorization header ('' when unsigned). */
  keyId: string;
}

export interface RecordingProxy {
  /** 127.0.0.1:PORT, plain http. */
  host: string;
  requests: RecordedRequest[];
  /** TCP connections accepted so far: shows whether clients keep theirs alive. */
  connections(): number;
  close(): Promise<void>;
}

/**
 * A plain-http reverse proxy in front of s3rver that records every request. s3rver checks no
 * signature, so the key id each request was signed with is read here instead.
 */
export async function startRecordingProxy(target: string, ca?: string): Promise<RecordingProxy> {
  const requests: RecordedRequest[] = [];
  const upstream = new URL(target);
  const send = upstream.protocol === 'https:' ? httpsRequest : httpRequest;
  const server = createServer((req, res) => {
    const auth = req.headers.authorization ?? '';
    requests.push({ method: req.method ?? '', url: req.url ?? '', keyId: /Credential=([^/]+)\//.exec(auth)?.[1] ?? '' });
    const forward = send(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host }, ...(ca && { ca }) },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(forward);
  });
  let connections = 0;
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    host: `127.0.0.1:${port}`,
    requests,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
