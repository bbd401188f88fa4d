import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { logLines, waitFor } from '../helpers/daemon-process.js';
import { CLI, FIXTURES, ROOT } from '../helpers/paths.js';
import { readPids, survivors } from '../helpers/processes.js';
import { tempDir } from '../helpers/restic-repos.js';

const HOLD_START = join(ROOT, 'dist', 'test', 'helpers', 'hold-start.js');

interface Cli {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Settles when the process has exited; `exitCode` is null until then. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  exitCode: number | null | undefined;
}

/** The built CLI as a real process; with `holdUntil`, held while loading (helpers/hold-start.ts). */
function startCli(args: string[], env: Record<string, string>, holdUntil?: string): Cli {
  const child = spawn(process.execPath, [...(holdUntil ? ['--import', HOLD_START] : []), CLI, ...args], {
    env: { ...process.env, LOG_LEVEL: undefined, NO_COLOR: '1', ...env, ...(holdUntil && { HOLD_START_RELEASE: holdUntil }) } as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk) => (stdout += chunk));
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const cli: Cli = {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    exitCode: undefined,
    exited: new Promise((resolve) =>
      child.on('close', (code, signal) => {
        cli.exitCode = code;
        resolve({ code, signal });
      }),
    ),
  };
  // Bounded: whatever a test does, the process is gone within a minute.
  const guard = setTimeout(() => child.kill('SIGKILL'), 60_000);
  void cli.exited.then(() => clearTimeout(guard));
  return cli;
}

/** Whether the process has a handler for `signal` (SigCgt in /proc/PID/status). */
async function catches(pid: number, signal: number): Promise<boolean> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const mask = BigInt(`0x${/^SigCgt:\s*([0-9a-f]+)$/m.exec(status)![1]}`);
  return (mask & (1n << BigInt(signal - 1))) !== 0n;
}

const jsonFor = (command: 'run' | 'status') => (command === 'status' ? ['--json'] : []);

/** What run and status --json print for the one repository of runConfig, stopped. */
function assertAborted(command: 'run' | 'status', stdout: string): void {
  if (command === 'run') {
    assert.equal(stdout, 'DOWN stuck: check failed: aborted [not pushed (no push target)]\n');
    return;
  }
  const rows = JSON.parse(stdout) as Array<{ name: string; status: string; message: string }>;
  assert.deepEqual(
    rows.map(({ name, status, message }) => ({ name, status, message })),
    [{ name: 'stuck', status: 'down', message: 'check failed: aborted' }],
  );
}

let dir: string;
let runConfig: string;
let daemonConfig: string;
before(async () => {
  dir = await tempDir('rm-signals-');
  runConfig = join(dir, 'run.yaml');
  await writeFile(runConfig, 'repositories:\n  stuck: {url: /srv/stuck, timeout: 10m}\n');
  daemonConfig = join(dir, 'daemon.yaml');
  await writeFile(daemonConfig, 'listen: 127.0.0.1:0\ndefaults:\n  interval: 1h\n  timeout: 10m\nrepositories:\n  stuck: {url: /srv/stuck}\n');
});

describe('signals at start-up, from the first module the entry point loads', () => {
  test('a SIGHUP neither kills the daemon nor is lost: the config is reloaded once the daemon runs', async () => {
    const release = join(dir, 'release-daemon');
    const cli = startCli(['daemon', '-c', daemonConfig], { RESTIC_MONITOR_READER: 'restic', RESTIC_MONITOR_RESTIC: join(FIXTURES, 'restic-fresh') }, release);
    try {
      await waitFor('the CLI to start loading its first module', () => cli.stderr().includes('hold-start: holding') || cli.exitCode !== undefined);
      assert.ok(await catches(cli.child.pid!, 1), 'SIGHUP is handled before the entry point loads anything');
      cli.child.kill('SIGHUP');
      await writeFile(release, '');
      await waitFor('the daemon to start (or die)', () => /"msg":"config reloaded"/.test(cli.stderr()) || cli.exitCode !== undefined);
      assert.equal(cli.exitCode, undefined, `the daemon died:\n${cli.stderr()}`);
      const messages = logLines(cli.stderr()).map((line) => line.msg);
      assert.ok(messages.indexOf('config reloaded') > messages.findIndex((msg) => String(msg).startsWith('daemon started')));
    } finally {
      cli.child.kill('SIGTERM');
    }
    assert.deepEqual(await cli.exited, { code: 0, signal: null });
  });

  test('a SIGHUP the moment the daemon can catch one (looked for from spawn on) is a reload once it runs; SIGTERM then ends it with 0', async () => {
    // Before that moment Node itself is starting, and no program can catch a signal yet
    // (docs/daemon.md "Signals": systemd holds a reload back until READY=1 instead).
    const cli = startCli(['daemon', '-c', daemonConfig], { RESTIC_MONITOR_READER: 'restic', RESTIC_MONITOR_RESTIC: join(FIXTURES, 'restic-fresh') });
    await once(cli.child, 'spawn');
    const pid = cli.child.pid!;
    const deadline = Date.now() + 30_000;
    while (!(await catches(pid, 1))) {
      assert.equal(cli.exitCode, undefined, cli.stderr());
      assert.ok(Date.now() < deadline, 'SIGHUP not caught within 30 s of spawn');
    }
    cli.child.kill('SIGHUP');
    try {
      await waitFor('the reload (or an exit)', () => /"msg":"config reloaded"/.test(cli.stderr()) || cli.exitCode !== undefined);
      assert.equal(cli.exitCode, undefined, `the daemon died:\n${cli.stderr()}`);
    } finally {
      cli.child.kill('SIGTERM');
    }
    assert.deepEqual(await cli.exited, { code: 0, signal: null }, cli.stderr());
  });

  for (const [command, signal] of [
    ['run', 'SIGTERM'],
    ['run', 'SIGHUP'],
    ['status', 'SIGHUP'],
    ['status', 'SIGINT'],
  ] as const) {
    test(`${signal} to ${command}: it stops before starting restic and reports every repository`, async () => {
      const release = join(dir, `release-${command}-${signal}`);
      const pids = join(dir, `start-${command}-${signal}.pids`);
      await writeFile(pids, '');
      const cli = startCli([command, '-c', runConfig, ...jsonFor(command)], { RESTIC_MONITOR_READER: 'restic', RESTIC_MONITOR_RESTIC: join(FIXTURES, 'restic-hang'), FAKE_RESTIC_PIDS: pids }, release);
      await waitFor('the CLI to start loading its first module', () => cli.stderr().includes('hold-start: holding') || cli.exitCode !== undefined);
      cli.child.kill(signal);
      await writeFile(release, '');
      assert.deepEqual(await cli.exited, { code: 1, signal: null }, cli.stderr());
      assertAborted(command, cli.stdout());
      assert.deepEqual(await readPids(pids), [], 'no restic was started');
    });
  }
});

describe('SIGHUP stops a one-shot command as SIGTERM does', () => {
  for (const command of ['run', 'status'] as const) {
    test(`${command}: restic and what it started are killed, the result is reported, exit 1`, async () => {
      const pids = join(dir, `hup-${command}.pids`);
      await writeFile(pids, '');
      const cli = startCli([command, '-c', runConfig, ...jsonFor(command)], {
        RESTIC_MONITOR_READER: 'restic', RESTIC_MONITOR_RESTIC: join(FIXTURES, 'restic-hang'),
        FAKE_RESTIC_PIDS: pids,
      });
      // The fixture writes its grandchild's PID and its own.
      await waitFor('restic and its grandchild to start', async () => (await readPids(pids)).length === 2 || cli.exitCode !== undefined);
      cli.child.kill('SIGHUP');
      assert.deepEqual(await cli.exited, { code: 1, signal: null }, cli.stderr());
      assertAborted(command, cli.stdout());
      assert.deepEqual(await survivors(await readPids(pids)), [], 'no process of the tree remains');
    });
  }
});

describe('a second stop signal during the grace period kills every process tree before the exit', () => {
  /** "pids <restic> <child>" lines and "term <restic>" lines from the fixture. */
  const stubbornLog = async (file: string) => {
    const lines = (await readFile(file, 'utf8').catch(() => '')).split('\n');
    return {
      pids: lines.filter((line) => line.startsWith('pids ')).flatMap((line) => line.split(' ').slice(1).map(Number)),
      terms: lines.filter((line) => line.startsWith('term ')).length,
    };
  };

  for (const [command, first, second, code] of [
    ['run', 'SIGTERM', 'SIGINT', 130],
    ['run', 'SIGINT', 'SIGINT', 130],
    ['daemon', 'SIGTERM', 'SIGTERM', 143],
  ] as const) {
    test(`${command}: ${first}, then ${second} while restic and its child ignore SIGTERM: exit ${code}, nothing left running`, async () => {
      const log = join(dir, `twice-${command}-${first}-${second}.log`);
      const cli = startCli([command, '-c', command === 'daemon' ? daemonConfig : runConfig], { RESTIC_MONITOR_READER: 'restic', RESTIC_MONITOR_RESTIC: join(FIXTURES, 'restic-stubborn'), STUBBORN_LOG: log });
      let pids: number[] = [];
      try {
        await waitFor('restic and its child to start', async () => (pids = (await stubbornLog(log)).pids).length === 2 || cli.exitCode !== undefined);
        assert.equal(cli.exitCode, undefined, cli.stderr());
        cli.child.kill(first);
        // The stop has reached restic (which shrugs it off): the grace period is running.
        await waitFor('restic to get SIGTERM', async () => (await stubbornLog(log)).terms > 0 || cli.exitCode !== undefined);
        assert.equal(cli.exitCode, undefined, `it exited before the second signal:\n${cli.stderr()}`);
        cli.child.kill(second);
        assert.deepEqual(await cli.exited, { code, signal: null }, cli.stderr());
      } finally {
        cli.child.kill('SIGKILL');
      }
      assert.deepEqual(await survivors(pids), [], 'no process of the tree remains');
      const last = logLines(cli.stderr()).at(-1);
      assert.equal(last?.msg, `${second} again while stopping: killed 1 process tree, exiting now`);
      assert.equal(last?.level, 50);
    });
  }
});
