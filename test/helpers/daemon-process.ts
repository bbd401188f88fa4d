import { spawn, type ChildProcess } from 'node:child_process';
import { CLI } from './paths.js';

export interface DaemonProcess {
  child: ChildProcess;
  pid: number;
  /** Everything the daemon wrote to stderr so far (its JSON log lines). */
  stderr(): string;
  /** The endpoint's base URL, from the "daemon started" log line. */
  url: string;
  /** Sends `signal` and resolves with the exit code and how long the exit took. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Polls `predicate` every 50 ms until it holds; fails with `what` after `timeoutMs`. */
export async function waitFor(what: string, predicate: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * GET `url`'s JSON, given up after `timeoutMs`: a daemon that hangs mid-answer fails the
 * test in seconds, not after undici's 300 s. A timer cleared afterwards, not
 * AbortSignal.timeout (which a garbage collection can lose on Node 20).
 */
export async function getJson<T>(url: string, timeoutMs = 10_000): Promise<T> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error(`GET ${url}: no answer within ${timeoutMs} ms`)), timeoutMs);
  try {
    return (await (await fetch(url, { signal: controller.signal })).json()) as T;
  } finally {
    clearTimeout(timer);
  }
}

/** Starts `restic-monitor daemon` as a real process and waits for its endpoint. */
export async function startDaemon(args: string[], env: Record<string, string | undefined> = {}): Promise<DaemonProcess> {
  const child = spawn(process.execPath, [CLI, 'daemon', ...args], {
    env: { ...process.env, LOG_LEVEL: undefined, NO_COLOR: '1', ...env } as NodeJS.ProcessEnv,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  let done = false;
  void exited.then(() => (done = true));
  try {
    await waitFor('the daemon to start', () => done || /"msg":"daemon started/.test(stderr), 20_000);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  if (done) throw new Error(`the daemon exited at start:\n${stderr}`);
  const url = /"listen":"(http:\/\/[^"]+)"/.exec(stderr)?.[1] ?? '';
  return {
    child,
    pid: child.pid!,
    stderr: () => stderr,
    url,
    exited,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      const started = Date.now();
      child.kill(signal);
      // Bounded: a daemon that does not stop is killed so the test run goes on, and reported.
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      const result = await exited;
      clearTimeout(timer);
      return { ...result, ms: Date.now() - started };
    },
  };
}

/** Log lines as objects. */
export function logLines(stderr: string): Array<Record<string, unknown>> {
  return stderr
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
