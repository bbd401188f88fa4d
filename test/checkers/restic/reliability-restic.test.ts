import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { CheckError } from '../../../src/checkers/checker.js';
import { ResticChecker } from '../../../src/checkers/restic/restic.js';
import { checkConfig } from '../../helpers/config.js';
import { runCli } from '../../helpers/cli.js';
import { CLI, FIXTURES } from '../../helpers/paths.js';
import { readPids, survivors } from '../../helpers/processes.js';
import { tempDir } from '../../helpers/restic-repos.js';

const env = { PATH: process.env.PATH, HOME: process.env.HOME };
const fixture = (name: string) => new ResticChecker({ binary: join(FIXTURES, name) });
async function reason(checker: ResticChecker, extraEnv: Record<string, string> = {}): Promise<string> {
  try {
    await checker.check(checkConfig({ url: '/x' }), { signal: new AbortController().signal, env: { ...env, ...extraEnv } });
  } catch (error) {
    assert.ok(error instanceof CheckError, String(error));
    return error.reason;
  }
  assert.fail('expected the check to fail');
}

describe('bad restic output', () => {
  test('truncated JSON', async () => {
    assert.equal(await reason(fixture('restic-truncated')), "unreadable output from restic: restic's output was cut short");
  });

  test('a flood on stderr keeps only its end and still finds the Fatal line', async () => {
    assert.equal(await reason(fixture('restic-stderr-flood'), { FLOOD_MB: '64' }), 'repository not found');
  });

  test('one endless snapshot entry is refused at 1 MiB instead of filling memory', async () => {
    assert.equal(await reason(fixture('restic-endless-entry')), 'unreadable output from restic: restic printed malformed JSON (a list element is larger than 1 MiB)');
  });

  test('100,000 snapshots: the newest is found as an instant, whatever its zone', async () => {
    const observed = await fixture('restic-many-snapshots').check(checkConfig({ url: '/x' }), { signal: new AbortController().signal, env });
    assert.equal(observed.latest?.toISOString(), '2026-06-01T08:00:00.500Z');
    assert.equal(observed.snapshots, 100_000);
  });
});

describe('a hung restic through the CLI', () => {
  let root: string;
  let config: string;
  let patient: string;
  before(async () => {
    root = await tempDir();
    config = join(root, 'config.yaml');
    await writeFile(config, 'defaults:\n  timeout: 1s\nrepositories:\n  stuck: {url: /x}\n  also-stuck: {url: /y}\n');
    // For the signal tests: a timeout that cannot fire first, however slow the machine.
    patient = join(root, 'patient.yaml');
    await writeFile(patient, 'defaults:\n  timeout: 10m\nrepositories:\n  stuck: {url: /x}\n  also-stuck: {url: /y}\n');
  });

  test('each check is killed at its timeout and reported down; no process is left', async () => {
    const pids = join(root, 'timeout.pids');
    const result = await runCli(['run', '--config', config], { env: { RESTIC_MONITOR_READER: 'restic', RESTIC_MONITOR_RESTIC: join(FIXTURES, 'restic-hang'), FAKE_RESTIC_PIDS: pids } });
    assert.equal(result.code, 1);
    assert.equal(result.stdout, 'DOWN stuck: check failed: timed out after 1s [not pushed (no push target)]\nDOWN also-stuck: check failed: timed out after 1s [not pushed (no push target)]\n');
    const started = await readPids(pids);
    assert.equal(started.length, 4);
    assert.deepEqual(await survivors(started), []);
  });

  test('checks sharing one restic run each keep their own timeout', async () => {
    const shared = join(root, 'shared.yaml');
    await writeFile(shared, 'repositories:\n  quick: {url: /same, host: a, timeout: 1s}\n  patient: {url: /same, host: b, timeout: 3s}\n');
    const pids = join(root, 'shared.pids');
    const result = await runCli(['run', '--config', shared], { env: { RESTIC_MONITOR_READER: 'restic', RESTIC_MONITOR_RESTIC: join(FIXTURES, 'restic-hang'), FAKE_RESTIC_PIDS: pids } });
    assert.equal(result.stdout, 'DOWN quick: check failed: timed out after 1s [not pushed (no push target)]\nDOWN patient: check failed: timed out after 3s [not pushed (no push target)]\n');
    const started = await readPids(pids);
    assert.equal(started.length, 2, 'one restic (and its grandchild) for both checks');
    assert.deepEqual(await survivors(started), []);
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    test(`${signal} stops a run at once, killing restic and what it started`, async () => {
      const pids = join(root, `${signal}.pids`);
      await writeFile(pids, '');
      // The last complete run's metrics must survive a run that was stopped half-way.
      const textfile = join(root, `${signal}.prom`);
      await writeFile(textfile, 'restic_monitor_up{repository="stuck",mode="restic"} 1\n');
      const child = spawn(process.execPath, [CLI, 'run', '--config', patient, '--textfile', textfile], {
        env: { ...process.env, RESTIC_MONITOR_READER: 'restic', RESTIC_MONITOR_RESTIC: join(FIXTURES, 'restic-hang'), FAKE_RESTIC_PIDS: pids, LOG_LEVEL: 'silent' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      child.stdout.on('data', (chunk) => (stdout += chunk));
      const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
      // Wait (bounded) until both checks have started their fake restic (and its grandchild).
      const waitUntil = Date.now() + 30_000;
      while ((await readPids(pids)).length < 4) {
        assert.ok(Date.now() < waitUntil && child.exitCode === null, `the fake restic did not start twice: ${await readPids(pids)}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      child.kill(signal);
      assert.equal(await exited, 1);
      assert.equal(stdout, 'DOWN stuck: check failed: aborted [not pushed (no push target)]\nDOWN also-stuck: check failed: aborted [not pushed (no push target)]\n');
      assert.deepEqual(await survivors(await readPids(pids)), []);
      assert.equal(await readFile(textfile, 'utf8'), 'restic_monitor_up{repository="stuck",mode="restic"} 1\n');
    });
  }
});
