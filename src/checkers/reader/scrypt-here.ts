import { scrypt } from 'node:crypto';
import { ReaderError } from './errors.js';
import { IN_PROCESS_SCRYPT_BYTES, IN_PROCESS_SCRYPT_WORK } from './limits.js';
import { ScryptRefused, type ScryptRequest } from './scrypt-process.js';

/**
 * Whether a derivation runs in this process (limits.ts): restic's own default cost (N=32768,
 * r=8, p ≤ 4). Such a key costs 0.1-0.3 s of one core; a second Node process to derive it
 * costs some 40 MiB of resident memory (bench/RESULTS.md, case 6).
 */
export function cheapEnoughHere(request: ScryptRequest, maxWork = IN_PROCESS_SCRYPT_WORK): boolean {
  const allocated = 128 * request.r * (request.N + request.p + 2);
  const { above, atMost } = IN_PROCESS_SCRYPT_BYTES;
  return request.N * request.r * request.p <= maxWork && allocated > above && 128 * request.N * request.r <= atMost;
}

/**
 * crypto.scrypt in this process, on a libuv thread. It cannot be stopped: an abort answers at
 * once (ReaderError `aborted`), while the thread finishes the work, which cheapEnoughHere
 * bounds. `done` is called when the thread is free again, whatever the answer was.
 */
export function scryptHere(request: ScryptRequest, signal: AbortSignal, done: () => void): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const stop = () => reject(new ReaderError('backend', 'aborted'));
    if (signal.aborted) {
      done();
      stop();
      return;
    }
    signal.addEventListener('abort', stop, { once: true });
    const { password, salt, N, r, p, maxmem } = request;
    try {
      scrypt(password, salt, 64, { N, r, p, maxmem }, (error, key) => {
        signal.removeEventListener('abort', stop);
        done();
        if (error) reject(new ScryptRefused(error.message));
        else resolve(key);
      });
    } catch (error) {
      // Parameters OpenSSL refuses are refused before any work (thrown, not called back).
      signal.removeEventListener('abort', stop);
      done();
      reject(new ScryptRefused(error instanceof Error ? error.message : String(error)));
    }
  });
}
