import { constants } from 'node:fs';
import { open, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ReaderError } from '../errors.js';
import { isResticFileName } from '../../file-names.js';
import { tooLarge, type Backend, type FileType } from '../backend.js';

/** Read in pieces of at most this much: the bound is checked as the file is read. */
const PIECE = 1024 * 1024;

/** A repository on a local or mounted file system. */
export class LocalBackend implements Backend {
  constructor(readonly location: string) {}

  async list(type: FileType): Promise<string[]> {
    try {
      const entries = await readdir(join(this.location, type), { withFileTypes: true });
      // Files, and links to them (checked when read): a FIFO, socket or device is no restic file.
      return entries.filter((entry) => (entry.isFile() || entry.isSymbolicLink()) && isResticFileName(entry.name)).map((entry) => entry.name);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw this.failure(error as NodeJS.ErrnoException, type);
    }
  }

  /**
   * The size is asked of the open file first: a file past `maxBytes` is refused unread. It
   * is then read in pieces up to its end, and refused once it passes `maxBytes` (a file that
   * grows while it is read, a device that reports no size).
   */
  async read(path: string, signal: AbortSignal, maxBytes: number): Promise<Buffer> {
    const file = join(this.location, path);
    try {
      // O_NONBLOCK: opening a FIFO waits for a writer, in a thread nothing can stop (it would
      // hold the process's exit too); a regular file reads the same either way.
      const handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
      try {
        const stat = await handle.stat();
        if (!stat.isFile()) throw new ReaderError('damaged', `${path} in ${this.location} is not a regular file`);
        const { size } = stat;
        if (size > maxBytes) throw tooLarge(path, this.location, maxBytes, size);
        const pieces: Buffer[] = [];
        let total = 0;
        for (;;) {
          if (signal.aborted) throw new ReaderError('backend', 'aborted');
          // What is left by the size asked, and one byte more to see the end (or growth).
          const piece = Buffer.allocUnsafe(Math.min(PIECE, maxBytes - total + 1, Math.max(size - total + 1, 64 * 1024)));
          const { bytesRead } = await handle.read(piece, 0, piece.length, null);
          if (bytesRead === 0) break;
          total += bytesRead;
          if (total > maxBytes) throw tooLarge(path, this.location, maxBytes);
          pieces.push(piece.subarray(0, bytesRead));
        }
        return Buffer.concat(pieces, total);
      } finally {
        await handle.close();
      }
    } catch (error) {
      if (error instanceof ReaderError) throw error;
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') throw new ReaderError('not-found', `${path} not found in ${this.location}`);
      throw this.failure(error as NodeJS.ErrnoException, path);
    }
  }

  private failure(error: NodeJS.ErrnoException, path: string): ReaderError {
    if (error.name === 'AbortError') return new ReaderError('backend', 'aborted');
    if (error.code === 'EACCES' || error.code === 'EPERM') return new ReaderError('backend', `permission denied reading ${join(this.location, path)}`);
    return new ReaderError('backend', `cannot read ${join(this.location, path)} (${error.code ?? error.message})`);
  }
}
