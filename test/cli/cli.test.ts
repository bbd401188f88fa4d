import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { settleAges } from '../helpers/ages.js';
import { runCli } from '../helpers/cli.js';
import { startPushReceiver, type PushReceiver } from '../helpers/push-receiver.js';
import { makeRepository, PASSWORD, resticTime, tempDir } from '../helpers/restic-repos.js';
import { DB_TOKEN, originalConfigAt, WEB_TOKEN } from '../helpers/original-config.js';


let root: string;
let receiver: PushReceiver;
let configPath: string;
const env = () => ({ RESTIC_PASSWORD: PASSWORD });

before(async () => {
  root = await tempDir();
  receiver = await startPushReceiver([WEB_TOKEN, DB_TOKEN]);
  await Promise.all([
    makeRepository(join(root, 'restic-web-server'), [{ time: resticTime(3 * 3_600_000) }]),
    makeRepository(join(root, 'restic-db-server'), [{ time: resticTime(8 * 3_600_000) }]),
  ]);
  configPath = join(root, 'config.yaml');
  await writeFile(configPath, originalConfigAt(root, receiver.pushUrl));
});
after(() => receiver.close());

describe('run', () => {
  test('the original config: a fresh repository pushes up, a stale one down; exit 1', async () => {
    receiver.beats.length = 0;
    const result = await runCli(['run', '--config', configPath], { env: env() });
    assert.equal(result.code, 1, result.stderr);
    assert.deepEqual(settleAges(result.stdout).split('\n'), [
      'UP   web-server: latest snapshot 3h ago (max 1d) [pushed to uptime-kuma]',
      'DOWN db-server: stale: latest snapshot 8h ago (max 6h) [pushed to uptime-kuma]',
      '',
    ]);
    const beats = Object.fromEntries(receiver.beats.map((beat) => [beat.token, beat]));
    assert.equal(beats[WEB_TOKEN]?.status, 'up');
    assert.equal(settleAges(beats[WEB_TOKEN]!.msg), 'latest snapshot 3h ago (max 1d)');
    assert.equal(beats[DB_TOKEN]?.status, 'down');
    assert.equal(settleAges(beats[DB_TOKEN]!.msg), 'stale: latest snapshot 8h ago (max 6h)');
    assert.ok(beats[WEB_TOKEN]!.ping! >= 1);
    // Each result appears once, on stdout: at the default level (warn) the log repeats none of them.
    assert.equal(result.stderr, '');
  });

  test('--log-level info (or LOG_LEVEL) adds JSON lines on stderr, one per repository; the flag wins', async () => {
    for (const [args, level] of [
      [['--log-level', 'info'], undefined],
      [[], 'info'],
      [['--log-level', 'INFO'], 'silent'],
    ] as const) {
      const result = await runCli(['run', '--config', configPath, ...args], { env: { ...env(), LOG_LEVEL: level } });
      assert.equal(result.code, 1, result.stderr);
      const logs = result.stderr.trim().split('\n').map((line) => JSON.parse(line) as { repository?: string; msg: string; level: number });
      assert.ok(logs.some((log) => log.repository === 'db-server' && log.msg.startsWith('stale:') && log.level === 30), result.stderr);
      assert.ok(logs.some((log) => log.repository === 'web-server' && log.msg.startsWith('latest snapshot')), result.stderr);
      for (const token of [WEB_TOKEN, DB_TOKEN]) assert.ok(!result.stderr.includes(token), 'token in the log');
    }
  });

  test('run is the default command; --only limits it; all fresh and pushed is exit 0', async () => {
    const result = await runCli(['--config', configPath, '--only', 'web-server'], { env: env() });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(settleAges(result.stdout), 'UP   web-server: latest snapshot 3h ago (max 1d) [pushed to uptime-kuma]\n');
  });

  test('the config comes from RESTIC_MONITOR_CONFIG when --config is not given', async () => {
    const result = await runCli(['--only', 'web-server'], { env: { ...env(), RESTIC_MONITOR_CONFIG: configPath } });
    assert.equal(result.code, 0, result.stderr);
  });

  test('an up repository whose push fails still exits 1', async () => {
    const path = join(root, 'bad-token.yaml');
    await writeFile(path, `repositories:\n  web-server:\n    url: ${root}/restic-web-server\n    push_url: ${receiver.pushUrl}\n    push_token: not-a-monitor\n`);
    const result = await runCli(['run', '-c', path], { env: env() });
    assert.equal(result.code, 1);
    assert.equal(settleAges(result.stdout), 'UP   web-server: latest snapshot 3h ago (max 1d) [push to uptime-kuma failed: Uptime Kuma: HTTP 404: Monitor not found or not active.]\n');
  });

  test('a repository without push_token is checked and shown, nothing pushed', async () => {
    const path = join(root, 'no-token.yaml');
    await writeFile(path, `repositories:\n  web-server:\n    url: ${root}/restic-web-server\n`);
    const before = receiver.requests.length;
    const result = await runCli(['run', '-c', path], { env: env() });
    assert.equal(settleAges(result.stdout), 'UP   web-server: latest snapshot 3h ago (max 1d) [not pushed (no push target)]\n');
    assert.equal(result.code, 0);
    assert.equal(receiver.requests.length, before);
  });
});

describe('status', () => {
  test('--json: one object per repository, nothing pushed', async () => {
    const before = receiver.requests.length;
    const result = await runCli(['status', '--json', '--config', configPath], { env: env() });
    assert.equal(result.code, 1);
    assert.equal(receiver.requests.length, before, 'status pushes nothing');
    const rows = JSON.parse(result.stdout) as Array<Record<string, unknown>>;
    assert.deepEqual(
      rows.map(({ name, status, mode, max_age_seconds, message, error }) => ({ name, status, mode, max_age_seconds, message: settleAges(message as string), error })),
      [
        { name: 'web-server', status: 'up', mode: 'restic', max_age_seconds: 86400, message: 'latest snapshot 3h ago (max 1d)', error: null },
        { name: 'db-server', status: 'down', mode: 'restic', max_age_seconds: 21600, message: 'stale: latest snapshot 8h ago (max 6h)', error: null },
      ],
    );
    const web = rows[0]!;
    assert.ok(Math.abs(Date.parse(web.latest as string) - (Date.now() - 3 * 3_600_000)) < 600_000);
    assert.ok(Math.abs((web.age_seconds as number) - 3 * 3600) < 600);
  });

  test('a table for people, without colour when not on a terminal', async () => {
    const result = await runCli(['status', '--config', configPath], { env: env() });
    const lines = settleAges(result.stdout).trimEnd().split('\n');
    assert.match(lines[0]!, /^REPOSITORY\s+MODE\s+LATEST SNAPSHOT\s+AGE\s+MAX AGE\s+STATE\s+SIGNALS\s+DURATION\s+MESSAGE$/);
    assert.match(lines[1]!, /^web-server\s+restic\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ\s+3h\s+1d\s+UP\s+-\s+(\d+ms|\d\.\ds|\d+s|\d+m\d*s?)\s+latest snapshot 3h ago \(max 1d\)$/);
    assert.match(lines[2]!, /^db-server\s+restic\s+\S+ \S+\s+8h\s+6h\s+DOWN\s+-\s+\S+\s+stale: latest snapshot 8h ago \(max 6h\)$/);
    assert.equal(lines[1]!.indexOf('restic'), lines[0]!.indexOf('MODE'), 'columns are aligned');
    assert.doesNotMatch(result.stdout, /\u001b\[/);
    // status logs nothing at its default level, and stderr is no terminal here: no progress count.
    assert.equal(result.stderr, '');
  });
});

test('a mistyped LOG_LEVEL or --log-level is a usage error: nothing is checked', async () => {
  const before = receiver.requests.length;
  const fromEnv = await runCli(['run', '--config', configPath], { env: { ...env(), LOG_LEVEL: 'verbose' } });
  assert.equal(fromEnv.code, 2);
  assert.equal(fromEnv.stderr, 'restic-monitor: LOG_LEVEL "verbose" is not a log level (levels: fatal, error, warn, info, debug, trace, silent)\n');
  assert.equal(fromEnv.stdout, '');
  const fromFlag = await runCli(['status', '--config', configPath, '--log-level', 'warning'], { env: env() });
  assert.equal(fromFlag.code, 2);
  assert.equal(
    fromFlag.stderr,
    'restic-monitor: --log-level "warning" is not a log level (levels: fatal, error, warn, info, debug, trace, silent)\nRun "restic-monitor --help" for usage.\n',
  );
  assert.equal(fromFlag.stdout, '');
  // The flag wins: a good one covers a bad LOG_LEVEL.
  const both = await runCli(['status', '--config', configPath, '--only', 'web-server', '--log-level', 'warn'], { env: { ...env(), LOG_LEVEL: 'verbose' } });
  assert.equal(both.code, 0, both.stderr);
  assert.equal(receiver.requests.length, before, 'nothing pushed');
});

describe("push_url pasted from Kuma, token and query included", () => {
  const pasted = () => `${receiver.pushUrl}${WEB_TOKEN}?status=up&msg=OK&ping=`;
  const write = async () => {
    const path = join(root, 'pasted.yaml');
    await writeFile(path, `repositories:\n  web-server:\n    url: ${root}/restic-web-server\n    push_url: "${pasted()}"\n`);
    return path;
  };

  test('run pushes to that monitor; the token appears in no output', async () => {
    const path = await write();
    receiver.beats.length = 0;
    const result = await runCli(['run', '-c', path], { env: env() });
    assert.equal(result.code, 0, result.stderr);
    // The snapshot was made when the file started: on a loaded machine it may be 3h1m old by now.
    assert.match(result.stdout, /^UP   web-server: latest snapshot 3h(\d+m)? ago \(max 1d\) \[pushed to uptime-kuma\]\n$/);
    assert.deepEqual(receiver.beats.map((beat) => [beat.token, beat.status]), [[WEB_TOKEN, 'up']]);
    assert.ok(!result.stderr.includes(WEB_TOKEN), 'token in the log');
  });
});
