import { availableParallelism } from 'node:os';
import { liveTrees, type LiveTrees } from '../../process/live-trees.js';
import { ReaderError } from './errors.js';
import { cheapEnoughHere, scryptHere } from './scrypt-here.js';
import { SHARED_SCRYPT_BYTES } from './limits.js';
import { ScryptProcess, ScryptProcessFailed, type ScryptRequest } from './scrypt-process.js';

/**
 * Of libuv's 4 threads, at most this many derive at once in this process: the others stay
 * free for file reads and DNS (a healthy repository is read while keys are derived).
 */
const HERE_AT_ONCE = 2;

export interface KeyDerivationOptions {
  /** Derivations at once; default: the number of CPUs, at most 4 (scrypt is CPU-bound). */
  concurrency?: number;
  /** An idle process is ended after this long; default 10 s (a fleet's run reuses it). */
  idleMs?: number;
  trees?: LiveTrees;
  /**
   * Derivations of at most this work N·r·p (and of 32-64 MiB) run in this process; default
   * IN_PROCESS_SCRYPT_WORK (limits.ts); 0: every one in the derivation process.
   */
  maxWorkHere?: number;
}

/**
 * scrypt for every repository a reader opens, at most `concurrency` at once, in the order
 * asked. A key of restic's default cost (cheapEnoughHere) is derived in this process, at
 * most HERE_AT_ONCE at a time, unless maxWorkHere is 0 (the daemon's choice: deferred.ts):
 * it cannot be stopped, but it ends within a bounded fraction of a second, and spares the
 * 40 MiB of a second Node process. Any other runs in a separate process (ScryptProcess).
 * There a derivation ends with its check: when the check's signal aborts (timeout, stop),
 * it is abandoned, new derivations go to a new process, and the old one is killed as soon
 * as the others running in it have given their keys (at once if there are none), so a
 * costly key file holds neither the monitor's exit nor a libuv thread, holds one derivation
 * slot only until its own check's timeout, and never costs another repository's check its
 * time. One process for all, not one each: each Node process costs some 40 MiB of resident
 * memory before it derives anything; but a key needing more memory than any restic makes
 * (SHARED_SCRYPT_BYTES) gets a process of its own, so that the kernel's OOM killer, if it
 * comes, ends that one alone. A derivation whose process ended under it runs once more in a
 * new one. Checks of repositories whose key is already held derive nothing and never wait
 * here.
 */
export class KeyDerivation {
  private readonly concurrency: number;
  private readonly idleMs: number;
  private readonly trees: LiveTrees;
  private running = 0;
  /** Derivations running on this process's threads (an aborted one until its thread is free). */
  private here = 0;
  private readonly maxWorkHere: number | undefined;
  private readonly waiting: Array<() => void> = [];
  private worker: ScryptProcess | undefined;
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(options: KeyDerivationOptions = {}) {
    this.concurrency = Math.max(1, options.concurrency ?? Math.min(4, availableParallelism()));
    this.idleMs = options.idleMs ?? 10_000;
    this.trees = options.trees ?? liveTrees;
    this.maxWorkHere = options.maxWorkHere;
  }

  /** 64 bytes of scrypt; rejects with the process's failure or ReaderError `aborted`. */
  async derive(request: ScryptRequest, signal: AbortSignal): Promise<Buffer> {
    await this.slot(signal);
    clearTimeout(this.idleTimer);
    try {
      if (this.here < HERE_AT_ONCE && cheapEnoughHere(request, this.maxWorkHere)) {
        this.here++;
        return await scryptHere(request, signal, () => this.here--);
      }
      const alone = 128 * request.N * request.r > SHARED_SCRYPT_BYTES;
      for (let attempt = 1; ; attempt++) {
        const worker = alone ? new ScryptProcess(this.trees, 1) : this.current();
        try {
          return await worker.derive(request, signal);
        } catch (error) {
          if (signal.aborted) throw aborted();
          // Its process ended under it (the kernel's OOM killer, say): once more, in a new one.
          if (error instanceof ScryptProcessFailed && attempt === 1) continue;
          throw error;
        } finally {
          if (alone) worker.stop();
        }
      }
    } finally {
      this.release();
    }
  }

  /**
   * Ends the process if nothing runs in it (a daemon stopping); one still deriving ends with
   * its checks, then idles out.
   */
  close(): void {
    clearTimeout(this.idleTimer);
    if (this.worker?.running !== 0) return;
    this.worker.stop();
    this.worker = undefined;
  }

  /** The process, alive (one killed meanwhile, by the OOM killer say, is replaced). */
  private current(): ScryptProcess {
    if (!this.worker?.alive) this.worker = new ScryptProcess(this.trees, this.concurrency);
    return this.worker;
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
    if (this.running === 0) this.armIdle();
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
