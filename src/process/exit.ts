/**
 * Ending the process when a request in libuv's thread pool cannot end: a file read on a dead
 * NFS mount, an open() that waits for a writer. No abort reaches such a request, and Node's
 * own exit waits for it (process.exit() stays blocked, measured). Only SIGKILL ends the
 * process then; restic and what it started were killed already (liveTrees).
 */
export interface ExitDeps {
  /** process.getActiveResourcesInfo(): what holds the event loop. */
  activeResources: () => string[];
  exit: (code: number) => void;
  kill: () => void;
  stderr: { write(text: string): unknown };
}

/** What Node names the thread-pool requests that an exit would wait for. */
const THREAD_POOL_REQUESTS = new Set(['FSReqCallback', 'FSReqPromise', 'GetAddrInfoReqWrap', 'GetNameInfoReqWrap']);

/** After the result is written, this long for the process to end by itself before it is ended. */
export const EXIT_BACKSTOP_MS = 2_000;

/** Exits with `code`, or, when the thread pool holds a request that never ends, kills the process. */
export function exitNow(code: number, deps: ExitDeps = processExitDeps()): void {
  const stuck = deps.activeResources().filter((name) => THREAD_POOL_REQUESTS.has(name));
  if (stuck.length === 0) {
    deps.exit(code);
    return;
  }
  deps.stderr.write(`restic-monitor: ${stuck.length} file-system or DNS ${stuck.length === 1 ? 'request' : 'requests'} cannot end (a stuck mount?): killing the process (exit code ${code} intended)\n`);
  deps.kill();
}

/**
 * The program has its result: if something still holds the process after EXIT_BACKSTOP_MS, it
 * is ended. An unref'd timer: a process that ends by itself is never held by it.
 */
export function armExitBackstop(code: () => number, deps: ExitDeps = processExitDeps(), ms = EXIT_BACKSTOP_MS): void {
  setTimeout(() => exitNow(code(), deps), ms).unref();
}

export function processExitDeps(): ExitDeps {
  return {
    activeResources: () => process.getActiveResourcesInfo(),
    exit: (code) => process.exit(code),
    kill: () => process.kill(process.pid, 'SIGKILL'),
    stderr: process.stderr,
  };
}
