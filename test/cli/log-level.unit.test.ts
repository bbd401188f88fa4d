import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { CheckError, type Checker } from '../../src/checkers/checker.js';
import { main } from '../../src/cli/main.js';
import { chooseLogLevel } from '../../src/log-level.js';
import { tempDir } from '../helpers/restic-repos.js';

test('chooseLogLevel: the flag wins over LOG_LEVEL, which wins over the default; case does not matter', () => {
  assert.deepEqual(chooseLogLevel(undefined, undefined, 'warn'), { level: 'warn' });
  assert.deepEqual(chooseLogLevel(undefined, '', 'info'), { level: 'info' });
  assert.deepEqual(chooseLogLevel(undefined, 'Debug', 'warn'), { level: 'debug' });
  assert.deepEqual(chooseLogLevel('error', 'debug', 'warn'), { level: 'error' });
  assert.deepEqual(chooseLogLevel('silent', 'nonsense', 'warn'), { level: 'silent' });
  assert.deepEqual(chooseLogLevel(undefined, 'verbose', 'warn'), { error: 'LOG_LEVEL "verbose" is not a log level (levels: fatal, error, warn, info, debug, trace, silent)' });
  assert.deepEqual(chooseLogLevel('', undefined, 'warn'), { error: '--log-level "" is not a log level (levels: fatal, error, warn, info, debug, trace, silent)' });
});

/**
 * The daemon for one cycle: `broken` fails its check (a warn line); stops once it has been
 * checked. Returns the log's lines as [level, msg].
 */
async function daemonLog(args: string[], env: Record<string, string>): Promise<Array<[number, string]>> {
  const dir = await tempDir('rm-log-level-');
  const config = join(dir, 'config.yaml');
  await writeFile(config, 'repositories:\n  broken:\n    url: /srv/broken\n    interval: 1h\n');
  const stop = new AbortController();
  const checker: Checker = {
    mode: 'restic',
    kind: 'restic',
    supports: () => true,
    async check() {
      // Stop after this check's result is logged.
      setTimeout(() => stop.abort(), 50);
      throw new CheckError('wrong password or no key found');
    },
  };
  let stderr = '';
  const bound = setTimeout(() => stop.abort(), 20_000);
  const code = await main(['daemon', '-c', config, ...args], {
    stdout: { write: () => true },
    stderr: { write: (text: string) => (stderr += text), isTTY: true },
    env,
    now: () => new Date(),
    signal: stop.signal,
    checkers: [checker],
    pushTargets: [],
  });
  clearTimeout(bound);
  assert.equal(code, 0, stderr);
  return stderr
    .trim()
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const { level, msg } = JSON.parse(line) as { level: number; msg: string };
      return [level, msg];
    });
}

test('the daemon logs at info by default, a failed check at warn; no progress count even on a terminal', async () => {
  const lines = await daemonLog([], {});
  assert.ok(lines.some(([level, msg]) => level === 30 && msg.startsWith('daemon started')), JSON.stringify(lines));
  assert.ok(lines.some(([level, msg]) => level === 40 && msg === 'check failed: wrong password or no key found'), JSON.stringify(lines));
});

test('the daemon honours --log-level, and LOG_LEVEL without it', async () => {
  const warn = await daemonLog(['--log-level', 'warn'], { LOG_LEVEL: 'debug' });
  assert.deepEqual(warn, [[40, 'check failed: wrong password or no key found']]);
  assert.deepEqual(await daemonLog([], { LOG_LEVEL: 'error' }), []);
});
