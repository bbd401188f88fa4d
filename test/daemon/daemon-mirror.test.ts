// The daemon and mirror_of: each check keeps its own schedule; a copy judges its lag by its
// primary's latest look, waiting for one in progress (at start, the primary's first).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Checker } from '../../src/checkers/checker.js';
import { parseConfig } from '../../src/config/parse.js';
import type { Config } from '../../src/config/types.js';
import { runDaemon } from '../../src/daemon/daemon.js';
import type { PushTarget, Report } from '../../src/push/target.js';

const NOW = new Date('2026-11-22T12:00:00Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** The primary answers after `primaryDelayMs`, the copy at once: a copy must wait for it. */
function fakes(primaryDelayMs: number) {
  const looks: string[] = [];
  const pushes: Array<[string, Report['status'], string]> = [];
  const checker: Checker = {
    mode: 'restic',
    kind: 'restic',
    supports: () => true,
    async check(check) {
      looks.push(check.name);
      if (check.name === 'nas') {
        await new Promise((resolve) => setTimeout(resolve, primaryDelayMs));
        return { latest: new Date(NOW.getTime() - HOUR) };
      }
      return { latest: new Date(NOW.getTime() - HOUR - 3 * DAY) };
    },
  };
  const target: PushTarget = {
    kind: 'recorder',
    wants: () => true,
    destination: () => 'recorder',
    async push(check, report) {
      pushes.push([check.name, report.status, report.message]);
    },
  };
  return { checker, target, looks, pushes };
}

async function runUntil(config: Config, checker: Checker, target: PushTarget, done: () => boolean): Promise<string> {
  let stderr = '';
  const shutdown = new AbortController();
  const exit = runDaemon({
    config,
    load: async () => config,
    checkers: [checker],
    pushTargets: [target],
    env: {},
    now: () => NOW,
    stderr: { write: (text: string) => (stderr += text) },
    signal: shutdown.signal,
    random: () => 0,
  });
  try {
    for (let i = 0; i < 250 && !done(); i++) await new Promise((resolve) => setTimeout(resolve, 20));
  } finally {
    shutdown.abort();
    assert.equal(await exit, 0, stderr);
  }
  return stderr;
}

const TEXT = 'defaults:\n  url: /srv/{{ .Name }}\n  interval: 1h\n  max_age: 1w\nrepositories:\n  copy: {mirror_of: nas, max_lag: 1d}\n  nas: {}\n';

test("daemon: a copy started with its primary waits for the primary's first look, then judges its lag by it", async () => {
  const { checker, target, pushes } = fakes(300);
  await runUntil(parseConfig(TEXT, {}), checker, target, () => pushes.length >= 2);
  assert.deepEqual(
    pushes.sort(),
    [
      ['copy', 'down', 'copy lags nas by 3d (max_lag 1d); latest snapshot 3d1h ago'],
      ['nas', 'up', 'latest snapshot 1h ago (max 7d)'],
    ],
  );
});

test('daemon with --only a copy: its primary is looked at on its schedule, never pushed', async () => {
  const { checker, target, looks, pushes } = fakes(50);
  const full = parseConfig(TEXT, {});
  const config: Config = { ...full, checks: full.checks.filter((check) => check.name === 'copy'), unselectedPrimaries: full.checks.filter((check) => check.name === 'nas') };
  await runUntil(config, checker, target, () => pushes.length >= 1);
  assert.deepEqual(pushes, [['copy', 'down', 'copy lags nas by 3d (max_lag 1d); latest snapshot 3d1h ago']]);
  assert.deepEqual(looks.sort(), ['copy', 'nas']);
});
