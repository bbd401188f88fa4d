import { spawn } from 'node:child_process';
import { startDeadline } from '../abort/deadline.js';
import { liveTrees, type LiveTrees } from './live-trees.js';
import { signalTree } from './process-tree.js';

export interface ProcessOptions {
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Receives stdout as it arrives; stdout is then not kept (`stdout` is empty). */
  onStdout?: (chunk: Buffer) => void;
  /** More stdout than this (kept or streamed) kills the process and sets `overflow`. */
  maxStdoutBytes?: number;
  /** Only the end of stderr is kept: that is where restic puts its Fatal line. */
  stderrTailBytes?: number;
  /** Where the tree is registered while it runs (a forced exit kills what is registered). */
  trees?: LiveTrees;
}

export interface ProcessResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderrTail: string;
  timedOut: boolean;
  aborted: boolean;
  overflow: boolean;
}

/** The program could not be started at all (ENOENT: not installed, EACCES: not executable). */
export class SpawnError extends Error {
  constructor(
    readonly command: string,
    readonly code: string,
  ) {
    super(`${command}: ${code}`);
  }

  /** What a person reads: `restic not installed (no "restic" on PATH)`. */
  describe(tool: string): string {
    return this.code === 'ENOENT' ? `${tool} not installed (no "${this.command}" on PATH)` : `cannot start ${tool} (${this.code})`;
  }
}

export type RunProcess = (command: string, args: readonly string[], options: ProcessOptions) => Promise<ProcessResult>;

/** From SIGTERM to SIGKILL, and from SIGKILL to giving up on the pipes. */
export const KILL_GRACE_MS = 2000;

/** The longest a process runs past its timeout before the run settles (SIGTERM, SIGKILL, pipes). */
export const STOP_GRACE_MS = 2 * KILL_GRACE_MS;

export const runProcess: RunProcess = (command, args, options) =>
  new Promise((resolve, reject) => {
    const maxStdout = options.maxStdoutBytes ?? 256 * 1024 * 1024;
    const tailBytes = options.stderrTailBytes ?? 16 * 1024;
    // A process group of its own, so that the whole tree can be signalled at once.
    const child = spawn(command, args, { env: options.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const stdout: Buffer[] = [];
    let stdoutBytes = 0;
    let stderr = Buffer.alloc(0);
    let timedOut = false;
    let aborted = false;
    let overflow = false;
    let settled = false;
    const known = new Set<number>();
    const trees = options.trees ?? liveTrees;
    if (child.pid !== undefined) trees.add(child.pid, known);
    let killTimer: NodeJS.Timeout | undefined;
    let giveUpTimer: NodeJS.Timeout | undefined;

    const stop = () => {
      if (child.pid === undefined || killTimer) return;
      signalTree(child.pid, 'SIGTERM', known);
      killTimer = setTimeout(() => {
        signalTree(child.pid!, 'SIGKILL', known);
        // Something outside our reach may still hold the pipes open: do not wait forever.
        giveUpTimer = setTimeout(() => finish(null, 'SIGKILL'), KILL_GRACE_MS);
      }, KILL_GRACE_MS);
    };
    // The run's timeout and the caller's abort, as one signal (src/abort/deadline.ts).
    const deadline = startDeadline(options.timeoutMs, options.signal);
    const onEnd = () => {
      if (deadline.timedOut) timedOut = true;
      else aborted = true;
      stop();
    };
    if (deadline.signal.aborted) onEnd();
    else deadline.signal.addEventListener('abort', onEnd, { once: true });

    const finish = (code: number | null, signal: NodeJS.Signals | null) => {
      if (settled) return;
      settled = true;
      deadline.clear();
      clearTimeout(killTimer);
      clearTimeout(giveUpTimer);
      // Children restic started may outlive it (rclone in its own group): end them too.
      if (child.pid !== undefined && known.size > 0) signalTree(child.pid, 'SIGKILL', known);
      if (child.pid !== undefined) trees.delete(child.pid);
      child.stdout?.destroy();
      child.stderr?.destroy();
      resolve({
        code,
        signal,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderrTail: stderr.toString('utf8'),
        timedOut,
        aborted,
        overflow,
      });
    };

    child.stdout.on('data', (chunk: Buffer) => {
      if (overflow) return;
      stdoutBytes += chunk.length;
      if (stdoutBytes > maxStdout) {
        overflow = true;
        stdout.length = 0;
        stop();
        return;
      }
      if (options.onStdout) options.onStdout(chunk);
      else stdout.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = Buffer.concat([stderr, chunk]);
      if (stderr.length > tailBytes * 2) stderr = stderr.subarray(utf8Start(stderr, stderr.length - tailBytes));
    });
    child.on('error', (error: NodeJS.ErrnoException) => {
      if (settled) return;
      settled = true;
      deadline.clear();
      reject(new SpawnError(command, error.code ?? 'spawn failed'));
    });
    child.on('close', (code, signal) => finish(code, signal));
    // A grandchild that inherited stderr (rclone does) can hold the pipe open after restic
    // has exited; the exit status is what matters, so stop waiting for the pipes soon.
    child.on('exit', (code, signal) => {
      if (child.pid !== undefined) trees.rootExited(child.pid);
      setTimeout(() => finish(code, signal), KILL_GRACE_MS).unref();
    });
  });

/** `from`, moved past UTF-8 continuation bytes: a tail that starts mid-character would start with U+FFFD. */
export function utf8Start(bytes: Buffer, from: number): number {
  let index = from;
  while (index < bytes.length && index - from < 3 && (bytes[index]! & 0xc0) === 0x80) index++;
  return index;
}
