// restore_drill against real restic: canary files backed up by restic itself and read back
// by `restic dump --no-lock` (the one on PATH: scripts/test.sh runs this file under 0.14,
// 0.18 and 0.19.1, whose dump reports a missing path differently: exit 2 in 0.14, exit 1
// with "Fatal:" in 0.17+).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { before, test } from 'node:test';
import type { Checker } from '../../src/checkers/checker.js';
import { parseConfig } from '../../src/config/parse.js';
import { runDaemon } from '../../src/daemon/daemon.js';
import type { CheckResultJson as CheckResult } from '../../src/run/result-json.js';
import { runCli } from '../helpers/cli.js';
import { FakeTimers } from '../helpers/fake-timers.js';
import { FIXTURES } from '../helpers/paths.js';
import { readPids, survivors } from '../helpers/processes.js';
import { initRepository, PASSWORD, restic, tempDir } from '../helpers/restic-repos.js';

const exec = promisify(execFile);
const HOUR = 3_600_000;
const AGE = /(\d+s ago|\d+m\d*s? ago|just now)/.source;

let dir: string;
let repo: string;
/** The canary every host wrote, at the same path: only --host tells their snapshots apart. */
let canary: string;

/** What `date` prints, as a backup job would write it. */
async function date(...args: string[]): Promise<string> {
  return (await exec('date', args)).stdout;
}

before(async () => {
  dir = await tempDir('rm-drill-');
  repo = join(dir, 'repo');
  const src = join(dir, 'src');
  const other = join(dir, 'other');
  canary = join(src, 'backup-canary');
  await Promise.all([mkdir(src), mkdir(other)]);
  await writeFile(join(other, 'data'), 'data\n');
  await initRepository(repo);
  await restic(['-r', repo, 'backup', '--quiet', '--host', 'nocanary', other]);
  // One after the other, each host's job writes the canary, then backs it up; the last
  // (junk) is the repository's latest snapshot.
  const canaries: Array<[string, string]> = [
    ['fresh', await date('-Is')],
    ['old', await date('-Is', '-d', '3 days ago')],
    ['unix', await date('+%s')],
    ['big', `${'0'.repeat(10_000)}\n`],
    // The wrong file, holding a secret the monitor knows (the repository password).
    ['leaky', `password=${PASSWORD}\n`],
    ['junk', 'hello world\n'],
  ];
  for (const [host, content] of canaries) {
    await writeFile(canary, content);
    await restic(['-r', repo, 'backup', '--quiet', '--host', host, src]);
  }
});

/** `status --json` with restic behind a wrapper that notes each start. */
async function status(config: string, env: Record<string, string> = {}): Promise<{ rows: Map<string, CheckResult>; starts: string[]; code: number | null }> {
  const file = join(dir, `config-${Math.random().toString(36).slice(2)}.yaml`);
  const counter = `${file}.starts`;
  await writeFile(file, `defaults:\n  max_age: 1d\n  extra_env:\n    RESTIC_PASSWORD: ${PASSWORD}\n${config}`);
  await writeFile(counter, '');
  const result = await runCli(['status', '--json', '-c', file], {
    env: { RESTIC_MONITOR_RESTIC: join(FIXTURES, 'counting-restic.sh'), RESTIC_COUNT_FILE: counter, RESTIC_CACHE_DIR: join(dir, 'cache'), ...env },
  });
  assert.equal(result.stderr, '');
  const starts = (await readFile(counter, 'utf8')).split('\n').filter((line) => line !== '');
  const rows = JSON.parse(result.stdout) as CheckResult[];
  return { rows: new Map(rows.map((row) => [row.name, row])), starts, code: result.code };
}

test('each host drills its own latest snapshot: fresh and Unix seconds pass; 3 days old, missing, junk and oversized fail, each naming why', async () => {
  const { rows, starts, code } = await status(`repositories:
  fleet:
    url: ${repo}
    reader: restic
    restore_drill: {path: ${canary}, max_age: 1d}
    hosts:
      fresh:
      unix:
      old:
      junk:
      big:
      nocanary:
`);
  assert.equal(code, 1);
  for (const host of ['fresh', 'unix']) {
    const row = rows.get(`fleet/${host}`)!;
    assert.equal(row.status, 'up', `${host}: ${row.message}`);
    assert.match(row.message, new RegExp(`^latest snapshot ${AGE} \\(max 1d\\)$`));
    const [signal] = row.signals!;
    assert.equal(signal!.name, 'restore_drill');
    assert.equal(signal!.limit, 86400);
    assert.equal(signal!.ok, true);
    assert.ok(signal!.value! >= 0 && signal!.value! < 600, `${host}: ${signal!.value}`);
    assert.ok(Math.abs(Date.parse(row.drilled_at!) - Date.now()) < 600_000, row.drilled_at);
  }
  const old = rows.get('fleet/old')!;
  assert.equal(old.status, 'down');
  assert.match(old.message, new RegExp(`^restore drill: canary is 3d old \\(max_age 1d\\); latest snapshot ${AGE}$`));
  assert.equal(old.signals![0]!.ok, false);
  assert.ok(Math.abs(old.signals![0]!.value! - 3 * 86400) < 600, String(old.signals![0]!.value));
  const failures: Record<string, string> = {
    junk: 'restore drill: canary holds no timestamp: "hello world" (expected the output of date -Is or Unix seconds)',
    big: `restore drill: canary is larger than 4 KiB: ${canary} holds no timestamp`,
    nocanary: `restore drill: ${canary} not in the latest snapshot`,
  };
  for (const [host, failure] of Object.entries(failures)) {
    const row = rows.get(`fleet/${host}`)!;
    assert.equal(row.status, 'down', host);
    assert.match(row.message, new RegExp(`^${failure.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}; latest snapshot ${AGE}$`), host);
    assert.deepEqual(row.signals, [{ name: 'restore_drill', limit: 86400, value: null, ok: false }], host);
    assert.equal(typeof row.drilled_at, 'string');
  }
  // Cost: the one listing the hosts share, and one dump per host check.
  assert.equal(starts.filter((line) => line.startsWith('snapshots ')).length, 1, starts.join('\n'));
  assert.deepEqual(
    starts.filter((line) => line.startsWith('dump ')).sort(),
    ['big', 'fresh', 'junk', 'nocanary', 'old', 'unix'].map((host) => `dump --no-lock --host ${host} latest ${canary}`),
  );
  assert.equal(starts.length, 7);
});

test('without a host the repository\'s latest is drilled; a directory is binary data; a path never backed up is missing; no password is restic\'s own reason', async () => {
  const { rows } = await status(`repositories:
  dir: {url: ${repo}, restore_drill: {path: ${join(dir, 'src')}}}
  nowhere: {url: ${repo}, restore_drill: {path: /var/lib/never-backed-up}}
  latest: {url: ${repo}, restore_drill: {path: ${canary}}}
  leaky: {url: ${repo}, host: leaky, restore_drill: {path: ${canary}}}
  nopassword:
    url: ${repo}
    reader: builtin
    restore_drill: {path: ${canary}}
    extra_env: {RESTIC_PASSWORD_FILE: ${join(dir, 'no-such-password-file')}}
`);
  assert.match(rows.get('dir')!.message, new RegExp(`^restore drill: canary holds binary data, not a timestamp \\(a directory\\? restic dump writes one as a tar stream\\); latest snapshot ${AGE}$`));
  assert.match(rows.get('nowhere')!.message, new RegExp(`^restore drill: /var/lib/never-backed-up not in the latest snapshot; latest snapshot ${AGE}$`));
  // The latest snapshot overall is junk's.
  assert.match(rows.get('latest')!.message, /^restore drill: canary holds no timestamp: "hello world"/);
  // What the file held is shown, with the secret masked.
  assert.match(rows.get('leaky')!.message, /^restore drill: canary holds no timestamp: "password=\*\*\*" \(expected/);
  assert.equal(JSON.stringify([...rows.values()]).includes(PASSWORD), false);
  // The listing fails first: its reason, and no drill judged.
  const failed = rows.get('nopassword')!;
  assert.equal(failed.status, 'down');
  assert.match(failed.message, /^check failed: /);
  assert.deepEqual(failed.signals, [{ name: 'restore_drill', limit: 86400, value: null, ok: null }]);
  assert.equal(failed.drilled_at, undefined);
});

test('a dump that hangs is killed within the check\'s timeout, with what it started, and says so', async () => {
  const pids = join(dir, 'hang.pids');
  const { rows } = await status(`repositories:\n  fresh: {url: ${repo}, host: fresh, reader: builtin, timeout: 3s, restore_drill: {path: ${canary}}}\n`, {
    RESTIC_MONITOR_RESTIC: join(FIXTURES, 'restic-hang'),
    FAKE_RESTIC_PIDS: pids,
  });
  const row = rows.get('fresh')!;
  assert.equal(row.status, 'down');
  assert.match(row.message, new RegExp(`^restore drill: timed out after 3s; latest snapshot ${AGE}$`));
  const started = await readPids(pids);
  assert.equal(started.length, 2);
  assert.deepEqual(await survivors(started), []);
});

test('the daemon drills every interval and judges by the kept drill in between; drilled_at shows which', async () => {
  const counter = join(dir, 'daemon.starts');
  await writeFile(counter, '');
  const timers = new FakeTimers();
  const start = Date.now();
  const now = () => new Date(start + timers.now());
  // The listing stands in (a snapshot a minute old, always): the drill is real restic.
  const checker: Checker = { mode: 'restic', kind: 'restic', supports: () => true, check: async () => ({ latest: new Date(now().getTime() - 60_000) }) };
  const config = parseConfig(
    `listen: 127.0.0.1:0\ndefaults:\n  interval: 1h\nrepositories:\n  fresh:\n    url: ${repo}\n    host: fresh\n    restore_drill: {path: ${canary}, interval: 3h, max_age: 1d}\n    extra_env: {RESTIC_PASSWORD: ${PASSWORD}}\n`,
    {},
  );
  let stderr = '';
  const shutdown = new AbortController();
  const exit = runDaemon({
    config,
    load: async () => config,
    checkers: [checker],
    pushTargets: [],
    env: { ...process.env, RESTIC_MONITOR_RESTIC: join(FIXTURES, 'counting-restic.sh'), RESTIC_COUNT_FILE: counter, RESTIC_CACHE_DIR: join(dir, 'cache') },
    now,
    stderr: { write: (text: string) => (stderr += text) },
    signal: shutdown.signal,
    hangup: new EventEmitter(),
    timers,
    random: () => 0,
  });
  const dumps = async () => (await readFile(counter, 'utf8')).split('\n').filter((line) => line.startsWith('dump ')).length;
  try {
    for (let i = 0; i < 100 && !stderr.includes('daemon started'); i++) await new Promise((resolve) => setTimeout(resolve, 20));
    const url = /serving (http:\/\/127\.0\.0\.1:\d+)\/metrics/.exec(stderr)?.[1];
    assert.ok(url, stderr);
    /** The status once the check that started at `at` (fake clock) has ended; real restic takes real time. */
    const statusAt = async (at: number): Promise<CheckResult & { next_run: string }> => {
      for (let i = 0; i < 600; i++) {
        const rows = (await (await fetch(`${url}/status`)).json()) as Array<CheckResult & { next_run: string }>;
        if (rows[0] && Date.parse(rows[0].checked_at) >= start + at) return rows[0];
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(`no check ended after ${at} ms (fake): ${stderr}`);
    };
    const first = await statusAt(0);
    assert.equal(first.status, 'up', first.message);
    assert.equal(first.drilled_at, new Date(start).toISOString());
    assert.equal(await dumps(), 1);
    for (const hours of [1, 2]) {
      await timers.advance(HOUR);
      const row = await statusAt(hours * HOUR);
      assert.equal(row.status, 'up', row.message);
      assert.equal(row.drilled_at, new Date(start).toISOString(), `${hours}h: the kept drill`);
      assert.equal(await dumps(), 1, `${hours}h`);
      // The age is the one that drill read, not grown since.
      assert.ok(row.signals![0]!.value! < 600);
    }
    await timers.advance(HOUR);
    const third = await statusAt(3 * HOUR);
    assert.equal(third.drilled_at, new Date(start + 3 * HOUR).toISOString());
    assert.equal(await dumps(), 2);
    // Three hours on the fake clock: the canary read now is that old.
    assert.ok(third.signals![0]!.value! >= 3 * 3600 && third.signals![0]!.value! < 3 * 3600 + 600, String(third.signals![0]!.value));
    const metrics = await (await fetch(`${url}/metrics`)).text();
    assert.match(metrics, /^restic_monitor_restore_drill_age_seconds\{check="fresh",repository="fresh",mode="restic"\} 1\d{4}(\.\d+)?$/m);
    assert.match(metrics, /^restic_monitor_signal_ok\{check="fresh",repository="fresh",mode="restic",signal="restore_drill"\} 1$/m);
  } finally {
    shutdown.abort();
    assert.equal(await exit, 0);
  }
});
