import { ReaderError } from './errors.js';
import { mebibytes } from './limits.js';

/** The directories of a repository the reader lists; everything else it never touches. */
export type FileType = 'keys' | 'snapshots' | 'locks';

/**
 * Read-only access to one repository's storage: the whole contract the reader needs.
 *
 * - `list` names the files of one directory: only restic file names (isResticFileName:
 *   restic ignores others);
 *   a missing directory lists as empty.
 * - `read` returns one whole file, `config` or `<type>/<id>`, of at most `maxBytes`: a larger
 *   one is refused with ReaderError kind `limit` (tooLarge) without being read into memory,
 *   also when it grows while being read. A file that does not exist rejects with kind
 *   `not-found`, any other failure with kind `backend`, named by `location` (never with a
 *   credential in it).
 * - Both stop promptly when `signal` aborts. Neither ever writes, locks or deletes.
 */
export interface Backend {
  /** Where the repository is, for messages: credentials removed. */
  readonly location: string;
  list(type: FileType, signal: AbortSignal): Promise<string[]>;
  read(path: string, signal: AbortSignal, maxBytes: number): Promise<Buffer>;
}

/** A file past its kind's bound (limits.ts): `size` when the storage said it before the read. */
export function tooLarge(path: string, location: string, maxBytes: number, size?: number): ReaderError {
  return new ReaderError('limit', `${path} from ${location} is larger than ${mebibytes(maxBytes)}${size === undefined ? '' : ` (${mebibytes(size)})`}`);
}

/**
 * A body read to its end, or `tooLarge` as soon as it passes `maxBytes` (the stream is then
 * destroyed: the rest is never downloaded). Whatever else the stream throws is passed on.
 */
export async function readCapped(body: AsyncIterable<Uint8Array> & { destroy?: () => void }, maxBytes: number, refuse: () => ReaderError): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > maxBytes) {
      body.destroy?.();
      throw refuse();
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}
