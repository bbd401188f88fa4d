import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { exitNow, type ExitDeps } from '../../src/process/exit.js';
import { ROOT } from '../helpers/paths.js';

let dir: string;
let fifo: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rm-exit-'));
  fifo = join(dir, 'no-writer');
  assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
});
after(() => rm(dir, { recursive: true, force: true }));

function fakeDeps(resources: string[]): ExitDeps & { calls: string[] } {
  const calls: string[] = [];
  return { calls, activeResources: () => resources, exit: (code) => calls.push(`exit ${code}`), kill: () => calls.push('kill'), stderr: { write: (text: string) => calls.push(text) } };
}

test('exitNow: exits with the code, unless a thread-pool request holds the process; then it is killed, and says so', () => {
  const free = fakeDeps(['TTYWrap', 'Timeout', 'TCPSocketWrap']);
  exitNow(1, free);
  assert.deepEqual(free.calls, ['exit 1']);
  const stuck = fakeDeps(['FSReqPromise', 'Timeout']);
  exitNow(1, stuck);
  assert.deepEqual(stuck.calls, ['restic-monitor: 1 file-system or DNS request cannot end (a stuck mount?): killing the process (exit code 1 intended)\n', 'kill']);
});

/** A Node process whose thread pool holds an open() of a FIFO nobody writes to: it never ends. */
function stuckProcess(backstop: boolean) {
  const exitModule = pathToFileURL(join(ROOT, 'dist', 'src', 'process', 'exit.js')).href;
  const code = `
    import(${JSON.stringify(exitModule)}).then(({ armExitBackstop }) => {
      require('node:fs').promises.open(${JSON.stringify(fifo)}, 'r').catch(() => {});
      ${backstop ? 'armExitBackstop(() => 3, undefined, 200);' : ''}
      process.exitCode = 3;
    });`;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return { child, ended, stderr: () => stderr };
}

test('a stuck file-system request holds a process forever; the backstop ends it', async () => {
  // Without it, the process is still there: nothing else would end it.
  const control = stuckProcess(false);
  const early = await within(control.ended, 1500);
  control.child.kill('SIGKILL');
  await control.ended;
  assert.equal(early, 'still running');

  const guarded = stuckProcess(true);
  const ended = await within(guarded.ended, 30_000);
  assert.deepEqual(ended, { code: null, signal: 'SIGKILL' });
  assert.equal(guarded.stderr(), 'restic-monitor: 1 file-system or DNS request cannot end (a stuck mount?): killing the process (exit code 3 intended)\n');
});

/** What `promise` gave, or 'still running' once `ms` passed; the timer never outlives it. */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | 'still running'> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<'still running'>((resolve) => (timer = setTimeout(() => resolve('still running'), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}
