import type { ClientRequest, IncomingMessage, RequestOptions } from 'node:http';

/**
 * How much of an answer a push reads. Kuma's is `{"ok":true}` or one error message, a
 * healthchecks server's a word or two; a proxy gone wrong can stream without end (one grew
 * the process to 1.2 GB). The rest is dropped and the connection closed.
 */
export const MAX_ANSWER_BYTES = 4096;

export interface Answer {
  statusCode: number;
  /** At most MAX_ANSWER_BYTES of the body, as text. */
  body: string;
}

export interface Outgoing {
  method: 'GET' | 'POST';
  body?: string;
  headers?: Record<string, string>;
}

/**
 * Node's own HTTP client, not undici: Node's modules are part of its binary (the S3 SDK uses
 * them too), where undici is 110 more files to load, and a push through undici cost twice the
 * CPU (bench/RESULTS.md, case 1b: 1.3 against 0.66 ms). Loaded by the first push, so that `status`
 * and `validate` do not load TLS for nothing. Keep-alive agents: a fleet's pushes to one Kuma
 * share a few connections, and Node unrefs an idle one, so it does not hold a one-shot run open.
 */
let clients: Promise<{ http: Client; https: Client }> | undefined;
type Client = (url: URL, options: RequestOptions, onResponse: (response: IncomingMessage) => void) => ClientRequest;

function loadClients() {
  return (clients ??= Promise.all([import('node:http'), import('node:https')]).then(([http, https]) => {
    const plain = new http.Agent({ keepAlive: true });
    const secure = new https.Agent({ keepAlive: true });
    return {
      http: (url, options, onResponse) => http.request(url, { ...options, agent: plain }, onResponse),
      https: (url, options, onResponse) => https.request(url, { ...options, agent: secure }, onResponse),
    };
  }));
}

/** One HTTP request; `signal` bounds it, the body read included. */
export async function send(url: URL, outgoing: Outgoing, signal: AbortSignal): Promise<Answer> {
  const { http, https } = await loadClients();
  return new Promise<Answer>((resolve, reject) => {
    const request = (url.protocol === 'https:' ? https : http)(
      url,
      { method: outgoing.method, signal, ...(outgoing.headers && { headers: outgoing.headers }) },
      (response: IncomingMessage) => {
        readCapped(response, MAX_ANSWER_BYTES).then((body) => resolve({ statusCode: response.statusCode ?? 0, body }), reject);
      },
    );
    request.on('error', reject);
    request.end(outgoing.body);
  });
}

/** Reads at most `max` bytes of `body`, then destroys it (a body not read to its end closes its connection). */
export async function readCapped(body: AsyncIterable<Buffer> & { destroy(): unknown }, max: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body) {
      chunks.push(chunk.subarray(0, max - size));
      size += Math.min(chunk.length, max - size);
      if (size >= max) break;
    }
  } finally {
    // Ending the loop early returns the iterator, which destroys the stream; this makes sure.
    body.destroy();
  }
  // A streaming decoder holds back a multi-byte character cut at the cap instead of turning it into U+FFFD.
  return new TextDecoder().decode(Buffer.concat(chunks, size), { stream: true });
}
