import { availableParallelism } from 'node:os';
import { liveTrees, type LiveTrees } from '../../process/live-trees.js';
import { ReaderError } from './errors.js';
import { ScryptProcess, type ScryptRequest } from './scrypt-process.js';

export interface KeyDerivationOptions {
  /** Derivations at once; default: the number of CPUs, at most 4 (scrypt is CPU-bound). */
  concurrency?: number;
  /** An idle process is ended after this long; default 10 s (a fleet's run reuses them). */
  idleMs?: number;
  trees?: LiveTrees;
}

/**
 * scrypt for every repository a reader opens, in separate processes (ScryptProcess), at most
 * `concurrency` at once, in the order asked. A derivation ends with its check: its process
 * is killed when the check's signal aborts (timeout, stop), so a costly key file holds
 * neither the monitor's exit nor a libuv thread, and holds one derivation slot only until
 * its own check's timeout. Checks of repositories whose key is already held derive nothing
 * and never wait here.
 */
export class KeyDerivation {
  private readonly concurrency: number;
  private readonly idleMs: number;
  private readonly trees: LiveTrees;
  private running = 0;
  private readonly waiting: Array<() => void> = [];
  private readonly idle: ScryptProcess[] = [];
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(options: KeyDerivationOptions = {}) {
    this.concurrency = Math.max(1, options.concurrency ?? Math.min(4, availableParallelism()));
    this.idleMs = options.idleMs ?? 10_000;
    this.trees = options.trees ?? liveTrees;
  }

  /** 64 bytes of scrypt; rejects with the process's failure or ReaderError `aborted`. */
  async derive(request: ScryptRequest, signal: AbortSignal): Promise<Buffer> {
    await this.slot(signal);
    const worker = this.idleWorker() ?? new ScryptProcess(this.trees);
    const stop = () => worker.kill();
    signal.addEventListener('abort', stop, { once: true });
    worker.hold(true);
    try {
      // Aborted between the slot and the listener: the listener would never hear it.
      if (signal.aborted) throw aborted();
      return await worker.derive(request);
    } catch (error) {
      if (signal.aborted) throw aborted();
      throw error;
    } finally {
      signal.removeEventListener('abort', stop);
      if (worker.alive) {
        worker.hold(false);
        this.idle.push(worker);
        this.armIdle();
      }
      this.release();
    }
  }

  /** Ends every idle process (a daemon stopping; derivations in flight end with their checks). */
  close(): void {
    clearTimeout(this.idleTimer);
    for (const worker of this.idle.splice(0)) worker.kill();
  }

  /** An idle process still alive (one may have been killed while it waited: the OOM killer). */
  private idleWorker(): ScryptProcess | undefined {
    for (let worker = this.idle.pop(); worker; worker = this.idle.pop()) if (worker.alive) return worker;
    return undefined;
  }

  private slot(signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.reject(aborted());
    if (this.running < this.concurrency) {
      this.running++;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const take = () => {
        signal.removeEventListener('abort', leave);
        this.running++;
        resolve();
      };
      const leave = () => {
        this.waiting.splice(this.waiting.indexOf(take), 1);
        reject(aborted());
      };
      this.waiting.push(take);
      signal.addEventListener('abort', leave, { once: true });
    });
  }

  private release(): void {
    this.running--;
    this.waiting.shift()?.();
  }

  private armIdle(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.close(), this.idleMs);
    this.idleTimer.unref();
  }
}

function aborted(): ReaderError {
  return new ReaderError('backend', 'aborted');
}
