import { ReaderError } from './errors.js';

/** A file larger than this is "large": restic's own key, lock and snapshot files are a few KiB. */
export const LARGE_FILE_BYTES = 1024 * 1024;

/**
 * Large files are read one at a time, across every repository the reader serves. The
 * per-file bounds (limits.ts) allow 64 MiB a snapshot file; a repository holding several
 * such files, or several repositories checked at once, would otherwise each hold a few at a
 * time (8 files of 64 MiB: 749 MB peak, measured). Small files are never held back. A wait,
 * and a turn, end when the caller's signal aborts.
 */
export class LargeReads {
  private busy = false;
  private readonly waiting: Array<() => void> = [];

  /** Runs `read` when no other large read runs; at once for a small (known) size. */
  async run<T>(size: number | undefined, signal: AbortSignal, read: () => Promise<T>): Promise<T> {
    if (size !== undefined && size <= LARGE_FILE_BYTES) return read();
    await this.acquire(signal);
    // The turn ends when the read settles or its check is aborted, whichever comes first: a
    // read stuck in the kernel (a hung NFS mount) may never settle, and must not hold every
    // other repository's large files with it. It goes on alone in the background.
    let released = false;
    const done = () => {
      if (released) return;
      released = true;
      signal.removeEventListener('abort', done);
      this.release();
    };
    signal.addEventListener('abort', done, { once: true });
    try {
      return await read();
    } finally {
      done();
    }
  }

  private acquire(signal: AbortSignal): Promise<void> {
    if (!this.busy) {
      this.busy = true;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const turn = () => {
        signal.removeEventListener('abort', gone);
        resolve();
      };
      const gone = () => {
        const index = this.waiting.indexOf(turn);
        if (index >= 0) this.waiting.splice(index, 1);
        reject(new ReaderError('backend', 'aborted'));
      };
      if (signal.aborted) return gone();
      signal.addEventListener('abort', gone, { once: true });
      this.waiting.push(turn);
    });
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.busy = false;
  }
}
