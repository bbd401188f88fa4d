import { constants } from 'node:fs';
import { open, readdir, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { ReaderError } from '../errors.js';
import { isResticFileName } from '../../file-names.js';
import { tooLarge, type Backend, type FileType } from '../backend.js';
import { LargeReads } from '../large-reads.js';

/** Read in pieces of at most this much: the bound is checked as the file is read. */
const PIECE = 1024 * 1024;

/** A repository on a local or mounted file system. */
export class LocalBackend implements Backend {
  constructor(
    readonly location: string,
    private readonly largeReads: LargeReads = new LargeReads(),
  ) {}

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
   * is then read into one buffer of that size, and refused once it passes `maxBytes` (a
   * file that grows while it is read). A large file waits for its turn (LargeReads).
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
        return await this.largeReads.run(size, signal, () => readAll(handle, size, maxBytes, signal, () => tooLarge(path, this.location, maxBytes)));
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

/**
 * The whole file, into one buffer of the size asked (one byte more, to see growth): a file
 * that grows while it is read gets a bigger buffer, up to one byte past the bound.
 */
async function readAll(handle: FileHandle, size: number, maxBytes: number, signal: AbortSignal, tooBig: () => Error): Promise<Buffer> {
  let buffer = Buffer.allocUnsafe(Math.min(size, maxBytes) + 1);
  let total = 0;
  for (;;) {
    if (signal.aborted) throw new ReaderError('backend', 'aborted');
    if (total === buffer.length) {
      if (total > maxBytes) throw tooBig();
      const bigger = Buffer.allocUnsafe(Math.min(buffer.length * 2, maxBytes + 1));
      buffer.copy(bigger, 0, 0, total);
      buffer = bigger;
    }
    const { bytesRead } = await handle.read(buffer, total, Math.min(PIECE, buffer.length - total), null);
    if (bytesRead === 0) return buffer.subarray(0, total);
    total += bytesRead;
    if (total > maxBytes) throw tooBig();
  }
}
