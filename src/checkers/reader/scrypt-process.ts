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

/** The process failed: it could not start, or it ended before it answered. */
export class ScryptProcessFailed extends Error {}

/**
 * The program the process runs (`node -e`): one JSON request per line on stdin, one JSON
 * answer per line on stdout. Plain JavaScript in a string, so that it needs no file beside
 * the program (the bundle is one file) and reads nothing but its stdin: the password never
 * appears in an argument or an environment variable.
 */
const PROGRAM = `'use strict';
const { scryptSync } = require('node:crypto');
let pending = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (text) => {
  pending += text;
  for (let end = pending.indexOf('\\n'); end >= 0; end = pending.indexOf('\\n')) {
    const line = pending.slice(0, end);
    pending = pending.slice(end + 1);
    let answer;
    try {
      const q = JSON.parse(line);
      answer = { key: scryptSync(q.password, Buffer.from(q.salt, 'base64'), 64, { N: q.N, r: q.r, p: q.p, maxmem: q.maxmem }).toString('base64') };
    } catch (error) {
      answer = { error: error instanceof Error ? error.message : String(error) };
    }
    process.stdout.write(JSON.stringify(answer) + '\\n');
  }
});
`;

/**
 * A Node process that runs scrypt for this one. scrypt cannot be interrupted once started:
 * in this process it would hold a libuv thread (which file reads and other derivations
 * need) and, since Node joins those threads on exit, the exit itself, for as long as the
 * key file asks (minutes). A process can be killed: a derivation whose check timed out or
 * was aborted ends at once, with the CPU it was using. One derivation at a time.
 */
export class ScryptProcess {
  private readonly child: ChildProcess;
  private answer: { resolve: (key: Buffer) => void; reject: (error: Error) => void } | undefined;
  private output = '';
  private ended: Error | undefined;

  constructor(private readonly trees: LiveTrees) {
    // Its own process group: a Ctrl-C on the terminal reaches the monitor, which ends the
    // derivation itself; `trees` kills it if the monitor exits some other way.
    this.child = spawn(process.execPath, ['-e', PROGRAM], { stdio: ['pipe', 'pipe', 'ignore'], env: {}, detached: true });
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
  }

  /** Whether it can take another derivation. */
  get alive(): boolean {
    return this.ended === undefined;
  }

  derive(request: ScryptRequest): Promise<Buffer> {
    if (this.ended) return Promise.reject(this.ended);
    if (this.answer) return Promise.reject(new Error('one derivation at a time'));
    return new Promise((resolve, reject) => {
      this.answer = { resolve, reject };
      const { salt, ...rest } = request;
      this.child.stdin!.write(`${JSON.stringify({ ...rest, salt: salt.toString('base64') })}\n`);
    });
  }

  /** While it derives it keeps the event loop alive; idle, it never holds an exit. */
  hold(held: boolean): void {
    const handles = [this.child, this.child.stdin, this.child.stdout] as Array<{ ref?: () => void; unref?: () => void } | null>;
    for (const handle of handles) (held ? handle?.ref : handle?.unref)?.call(handle);
  }

  kill(): void {
    if (this.ended === undefined) this.end(new ScryptProcessFailed('its process was stopped'));
    try {
      this.child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }

  private read(text: string): void {
    this.output += text;
    const end = this.output.indexOf('\n');
    if (end < 0) return;
    const line = this.output.slice(0, end);
    this.output = this.output.slice(end + 1);
    const answer = this.answer;
    this.answer = undefined;
    let parsed: { key?: unknown; error?: unknown };
    try {
      parsed = JSON.parse(line) as typeof parsed;
    } catch {
      parsed = { error: 'an unreadable answer' };
    }
    if (typeof parsed.key === 'string') answer?.resolve(Buffer.from(parsed.key, 'base64'));
    else answer?.reject(new ScryptRefused(String(parsed.error)));
  }

  private end(error: Error): void {
    this.ended ??= error;
    const answer = this.answer;
    this.answer = undefined;
    answer?.reject(error);
  }
}
