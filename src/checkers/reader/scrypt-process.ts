import { spawn, type ChildProcess } from 'node:child_process';
import type { LiveTrees } from '../../process/live-trees.js';

/** One scrypt derivation, as the process takes it. */
export interface ScryptRequest {
  password: string;
  salt: Buffer;
  N: number;
  r: number;
  p: number;
  /** Node refuses scrypt above this many bytes (32 MiB by default). */
  maxmem: number;
}

/** scrypt itself refused the parameters (OpenSSL's own limits). */
export class ScryptRefused extends Error {}

/** The process failed: it could not start, it ended before it answered, or it was stopped. */
export class ScryptProcessFailed extends Error {
  constructor(
    message: string,
    /** It was stopped by this program (stop()), not ended by something else. */
    readonly stopped = false,
  ) {
    super(message);
  }
}

/**
 * The program the process runs (`node -e`): one JSON request per line on stdin, one JSON
 * answer per line on stdout, each with the request's id; the requests run side by side on
 * libuv's thread pool (crypto.scrypt), as many as were sent. Plain JavaScript in a string,
 * so that it needs no file beside the program (the bundle is one file) and reads nothing but
 * its stdin: the password never appears in an argument or an environment variable.
 */
const PROGRAM = `'use strict';
const { scrypt } = require('node:crypto');
const answer = (value) => process.stdout.write(JSON.stringify(value) + '\\n');
let pending = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (text) => {
  pending += text;
  for (let end = pending.indexOf('\\n'); end >= 0; end = pending.indexOf('\\n')) {
    const q = JSON.parse(pending.slice(0, end));
    pending = pending.slice(end + 1);
    const failed = (error) => answer({ id: q.id, error: error instanceof Error ? error.message : String(error) });
    try {
      scrypt(q.password, Buffer.from(q.salt, 'base64'), 64, { N: q.N, r: q.r, p: q.p, maxmem: q.maxmem }, (error, key) => {
        if (error) failed(error);
        else answer({ id: q.id, key: key.toString('base64') });
      });
    } catch (error) {
      failed(error);
    }
  }
});
`;

/**
 * A Node process that runs scrypt for this one, several derivations at once. scrypt cannot
 * be interrupted once started: in this process it would hold a libuv thread (which file
 * reads and other derivations need) and, since Node joins those threads on exit, the exit
 * itself, for as long as the key file asks (minutes). A process can be killed: a derivation
 * whose check timed out or was aborted is abandoned at once; the process takes no more work
 * and is killed, with the CPU it was using, as soon as no derivation in it is wanted (at once
 * when the abandoned one was its only one). The others running in it finish first: their
 * checks' time is not spent again from the start. One process for all of them, not one
 * each: a Node process is some 40 MiB of resident memory before it derives anything
 * (bench/RESULTS.md, reader memory).
 */
export class ScryptProcess {
  private readonly child: ChildProcess;
  private readonly waiting = new Map<number, { resolve: (key: Buffer) => void; reject: (error: Error) => void }>();
  private nextId = 0;
  private output = '';
  private ended: ScryptProcessFailed | undefined;
  /** A derivation in it was abandoned: it takes no more, and ends when none is wanted. */
  private retiring = false;

  constructor(
    private readonly trees: LiveTrees,
    /** Derivations it may run at once (libuv's pool gets as many threads). */
    threads = 4,
  ) {
    // Its own process group: a Ctrl-C on the terminal reaches the monitor, which ends the
    // derivation itself; `trees` kills it if the monitor exits some other way.
    this.child = spawn(process.execPath, ['-e', PROGRAM], {
      stdio: ['pipe', 'pipe', 'ignore'],
      // A fixed mmap threshold (glibc; others ignore it): scrypt's buffer is then mapped and
      // given back when freed. Left dynamic, glibc raises the threshold past a 16 MiB buffer
      // (N=16384, r=8) once one is freed, and every later one stays in the malloc arena of its
      // thread: 4 threads kept 64 MiB for 2 derivations' 32 (child peak 104 -> 72 MiB).
      env: { UV_THREADPOOL_SIZE: String(Math.max(4, threads)), MALLOC_MMAP_THRESHOLD_: String(128 * 1024) },
      detached: true,
    });
    const pid = this.child.pid;
    if (pid !== undefined) this.trees.add(pid, new Set());
    this.child.stdin!.on('error', () => undefined); // EPIPE once it died: 'exit' reports that
    this.child.stdout!.setEncoding('utf8');
    this.child.stdout!.on('data', (text: string) => this.read(text));
    this.child.on('error', (error: NodeJS.ErrnoException) => this.end(new ScryptProcessFailed(`its process could not start (${error.code ?? error.message})`)));
    this.child.on('exit', (code, signal) => {
      if (pid !== undefined) this.trees.delete(pid);
      this.end(new ScryptProcessFailed(`its process ended (${signal ?? `exit code ${code}`})`));
    });
    this.hold();
  }

  /** Whether it can take another derivation. */
  get alive(): boolean {
    return this.ended === undefined && !this.retiring;
  }

  /** Derivations sent and not yet answered. */
  get running(): number {
    return this.waiting.size;
  }

  /**
   * The key, or a ScryptProcessFailed: `stopped` set when `signal` aborted (the derivation
   * is abandoned) or stop() was called.
   */
  derive(request: ScryptRequest, signal: AbortSignal): Promise<Buffer> {
    if (this.ended) return Promise.reject(this.ended);
    if (signal.aborted) return Promise.reject(new ScryptProcessFailed('its derivation was abandoned', true));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const abandon = () => {
        if (!this.waiting.delete(id)) return;
        reject(new ScryptProcessFailed('its derivation was abandoned', true));
        this.retiring = true;
        this.retireWhenIdle();
      };
      signal.addEventListener('abort', abandon, { once: true });
      this.waiting.set(id, {
        resolve: (key) => {
          signal.removeEventListener('abort', abandon);
          resolve(key);
        },
        reject: (error) => {
          signal.removeEventListener('abort', abandon);
          reject(error);
        },
      });
      this.hold();
      const { salt, ...rest } = request;
      this.child.stdin!.write(`${JSON.stringify({ id, ...rest, salt: salt.toString('base64') })}\n`);
    });
  }

  /** Kills it: every derivation in it fails with `stopped` set. */
  stop(): void {
    this.end(new ScryptProcessFailed('its process was stopped', true));
    this.kill();
  }

  /** A retiring process with no wanted derivation left is killed, abandoned work and all. */
  private retireWhenIdle(): void {
    if (!this.retiring || this.waiting.size > 0 || this.ended) return;
    this.end(new ScryptProcessFailed('its process was stopped', true));
    this.kill();
  }

  private kill(): void {
    try {
      this.child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }

  /** While it derives it keeps the event loop alive; idle, it never holds an exit. */
  private hold(): void {
    const held = this.waiting.size > 0;
    const handles = [this.child, this.child.stdin, this.child.stdout] as Array<{ ref?: () => void; unref?: () => void } | null>;
    for (const handle of handles) (held ? handle?.ref : handle?.unref)?.call(handle);
  }

  private read(text: string): void {
    this.output += text;
    for (let end = this.output.indexOf('\n'); end >= 0; end = this.output.indexOf('\n')) {
      const line = this.output.slice(0, end);
      this.output = this.output.slice(end + 1);
      let parsed: { id?: unknown; key?: unknown; error?: unknown };
      try {
        parsed = JSON.parse(line) as typeof parsed;
      } catch {
        // Nothing to tell which derivation it answered: the process is no longer to be trusted.
        this.end(new ScryptProcessFailed('its process gave an unreadable answer'));
        this.kill();
        return;
      }
      const answer = this.waiting.get(parsed.id as number);
      if (!answer) continue;
      this.waiting.delete(parsed.id as number);
      if (typeof parsed.key === 'string') answer.resolve(Buffer.from(parsed.key, 'base64'));
      else answer.reject(new ScryptRefused(String(parsed.error)));
    }
    this.retireWhenIdle();
    this.hold();
  }

  private end(error: ScryptProcessFailed): void {
    this.ended ??= error;
    const waiting = [...this.waiting.values()];
    this.waiting.clear();
    for (const answer of waiting) answer.reject(this.ended);
    this.hold();
  }
}
