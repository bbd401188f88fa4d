import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ReaderError } from '../errors.js';
import { isResticFileName } from '../../file-names.js';
import type { Backend, FileType } from '../backend.js';

/** A repository on a local or mounted file system. */
export class LocalBackend implements Backend {
  constructor(readonly location: string) {}

  async list(type: FileType): Promise<string[]> {
    try {
      const entries = await readdir(join(this.location, type), { withFileTypes: true });
      return entries.filter((entry) => !entry.isDirectory() && isResticFileName(entry.name)).map((entry) => entry.name);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw this.failure(error as NodeJS.ErrnoException, type);
    }
  }

  async read(path: string, signal: AbortSignal): Promise<Buffer> {
    try {
      return await readFile(join(this.location, path), { signal });
    } catch (error) {
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
