import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FaultyS3 {
  /** http://127.0.0.1:PORT — buckets are addressed path-style. */
  endpoint: string;
  /** Requests per bucket, to see retries. */
  hits: Map<string, number>;
  close(): Promise<void>;
}

const xmlError = (code: string, message: string, extra = '') =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message>${extra}<RequestId>1</RequestId></Error>`;

/**
 * An S3 endpoint that fails in the ways real providers do, one bucket per fault: what
 * s3rver will not do on demand. `ok` answers a normal listing with one snapshot object.
 */
export async function startFaultyS3(): Promise<FaultyS3> {
  const hits = new Map<string, number>();
  const sockets = new Set<import('node:net').Socket>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const bucket = new URL(req.url ?? '/', 'http://x').pathname.split('/')[1] ?? '';
    hits.set(bucket, (hits.get(bucket) ?? 0) + 1);
    const send = (status: number, body: string, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/xml', ...headers });
      res.end(body);
    };
    switch (bucket) {
      case 'server-error':
        return send(500, xmlError('InternalError', 'We encountered an internal error. Please try again.'));
      case 'slow-down':
        return send(503, xmlError('SlowDown', 'Please reduce your request rate.'));
      case 'denied':
        return send(403, xmlError('AccessDenied', 'Access Denied'));
      case 'moved':
        return send(301, xmlError('PermanentRedirect', 'The bucket you are attempting to access must be addressed using the specified endpoint.', '<Endpoint>moved.s3.eu-west-1.amazonaws.com</Endpoint><Bucket>moved</Bucket>'), {
          'x-amz-bucket-region': 'eu-west-1',
        });
      case 'html':
        res.writeHead(200, { 'content-type': 'text/html' });
        return res.end('<html><body>Welcome to nginx</body></html>');
      case 'truncated': {
        // A page that says more follows and gives no token to follow it with (a buggy
        // gateway): one snapshot object, newer than anything a partial answer should report.
        const id = 'a'.repeat(64);
        return send(
          200,
          `<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>truncated</Name><Prefix>repo/snapshots/</Prefix><KeyCount>1</KeyCount><MaxKeys>1000</MaxKeys><Delimiter>/</Delimiter><IsTruncated>true</IsTruncated><Contents><Key>repo/snapshots/${id}</Key><LastModified>2026-01-01T00:00:00.000Z</LastModified><ETag>&quot;0&quot;</ETag><Size>1</Size><StorageClass>STANDARD</StorageClass></Contents></ListBucketResult>`,
        );
      }
      case 'trickle': {
        // Headers at once, then one byte every 300 ms: never done, never silent.
        res.writeHead(200, { 'content-type': 'application/xml' });
        const timer = setInterval(() => res.write(' '), 300);
        res.on('close', () => clearInterval(timer));
        return;
      }
      default:
        return send(404, xmlError('NoSuchBucket', 'The specified bucket does not exist'));
    }
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
