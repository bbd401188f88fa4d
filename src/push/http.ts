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

/** One HTTP request; `signal` bounds it, the body read included. */
export async function send(url: URL, outgoing: Outgoing, signal: AbortSignal): Promise<Answer> {
  const { request } = await import('../undici.js');
  const response = await request(url, { method: outgoing.method, signal, ...(outgoing.body !== undefined && { body: outgoing.body }), ...(outgoing.headers && { headers: outgoing.headers }) });
  return { statusCode: response.statusCode, body: await readCapped(response.body, MAX_ANSWER_BYTES) };
}

/** Reads at most `max` bytes of `body`, then destroys it (undici closes that connection). */
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
