import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { startPushReceiver, type PushReceiver } from '../helpers/push-receiver.js';
import { PASSWORD, tempDir } from '../helpers/restic-repos.js';
import { DB_TOKEN, ORIGINAL_CONFIG, originalConfigAt, WEB_TOKEN } from '../helpers/original-config.js';

// The command line where no repository is read: usage and config errors, --version, --help,
// validate. No restic runs here, so, unlike cli.test.ts, this suite runs once, not once per
// restic version (scripts/test.sh).

let root: string;
let receiver: PushReceiver;
let configPath: string;
const env = () => ({ RESTIC_PASSWORD: PASSWORD });

before(async () => {
  root = await tempDir();
  receiver = await startPushReceiver([WEB_TOKEN, DB_TOKEN]);
  // cli.test.ts makes the repositories.
  configPath = join(root, 'config.yaml');
  await writeFile(configPath, originalConfigAt(root, receiver.pushUrl));
});
after(() => receiver.close());

describe('validate', () => {
  test('prints the expanded repositories with every secret masked, touching nothing', async () => {
    // The default reader (the versioned runs set RESTIC_MONITOR_READER, which validate shows).
    const result = await runCli(['validate', '--config', configPath], { env: { RESTIC_MONITOR_READER: undefined } });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, new RegExp(`web-server:\\n    url: ${root}/restic-web-server\\n    mode: restic\\n    max_age: 1d`));
    assert.match(result.stdout, /push: http:\/\/127\.0\.0\.1:\d+\/api\/push\/\*\*\*/);
    assert.match(result.stdout, /AWS_SECRET_ACCESS_KEY: "\*\*\*"/);
    assert.match(result.stdout, /# config OK: 2 repositories$/m);
    for (const secret of [WEB_TOKEN, DB_TOKEN, 'your-key-id', 'your-secret']) assert.ok(!result.stdout.includes(secret), secret);
  });

  test('warns on stderr of a push_timeout that Uptime Kuma may outlast; the config stays valid (exit 0)', async () => {
    const path = join(root, 'short-push-timeout.yaml');
    await writeFile(path, ORIGINAL_CONFIG.replace('  max_age: 1d\n', '  max_age: 1d\n  push_timeout: 2s\n'));
    const result = await runCli(['validate', '--config', path]);
    assert.equal(result.code, 0);
    assert.equal(
      result.stderr,
      'restic-monitor: warning: defaults.push_timeout: 2s is shorter than Uptime Kuma may take to answer (up to 5s while its database is busy): a push it answers late is retried and stored twice; use 6s or more\n',
    );
    assert.match(result.stdout, /# config OK: 2 repositories$/m);
    assert.equal((await runCli(['validate', '--config', configPath])).stderr, '', 'the default push_timeout (10s) draws none');
  });
});

describe('usage and config errors exit 2 with one clear message', () => {
  const cases: Array<[string, string[], string]> = [
    ['unknown command', ['frobnicate'], 'restic-monitor: unknown command "frobnicate" (commands: run, status, validate, daemon, test-push, kuma sync)\nRun "restic-monitor --help" for usage.\n'],
    ['unknown option', ['run', '--colour'], 'restic-monitor: unknown option \'--colour\'\nRun "restic-monitor --help" for usage.\n'],
    ['--json where no JSON is printed', ['run', '--json'], 'restic-monitor: --json works with status and validate, not run\nRun "restic-monitor --help" for usage.\n'],
    ['option without its value', ['run', '--config'], 'restic-monitor: Option \'-c, --config <value>\' argument missing\nRun "restic-monitor --help" for usage.\n'],
  ];
  for (const [name, args, stderr] of cases) {
    test(name, async () => {
      const result = await runCli(args);
      assert.equal(result.code, 2);
      assert.equal(result.stderr, stderr);
      assert.equal(result.stdout, '');
    });
  }

  test('a config file that does not exist', async () => {
    const result = await runCli(['run', '--config', join(root, 'nope.yaml')]);
    assert.equal(result.code, 2);
    assert.equal(result.stderr, `restic-monitor: config error in ${join(root, 'nope.yaml')}:\n  cannot read config file ${join(root, 'nope.yaml')}: no such file\n`);
  });

  test('./config.yaml is the default', async () => {
    const cwd = join(root, 'empty-cwd');
    await mkdir(cwd, { recursive: true });
    const result = await runCli(['validate'], { cwd });
    assert.equal(result.stderr, 'restic-monitor: config error in config.yaml:\n  cannot read config file config.yaml: no such file\n');
  });

  test('a directory instead of a file', async () => {
    const result = await runCli(['validate', '--config', root]);
    assert.equal(result.code, 2);
    assert.equal(result.stderr, `restic-monitor: config error in ${root}:\n  cannot read config file ${root}: it is a directory\n`);
  });

  test('every problem is listed, each with its key path', async () => {
    const path = join(root, 'bad.yaml');
    await writeFile(path, 'defaults:\n  max_age: 6x\nrepositories:\n  db-server:\n    url: /x\n    push_tokn: abc\n');
    const result = await runCli(['run', '--config', path]);
    assert.equal(result.code, 2);
    assert.equal(
      result.stderr,
      `restic-monitor: config error in ${path}:\n  repositories.db-server: unknown key "push_tokn" (did you mean "push_token"?)\n  defaults.max_age: "6x" is not a duration (e.g. 1d, 6h, 30m, 1h30m)\n`,
    );
  });

  test('--only with a name that is not configured', async () => {
    const result = await runCli(['run', '--config', configPath, '--only', 'mail']);
    assert.equal(result.code, 2);
    assert.equal(result.stderr, 'restic-monitor: --only mail: no such repository (known: web-server, db-server)\n');
  });
});

test('--version and --help', async () => {
  const version = await runCli(['--version']);
  assert.equal(version.code, 0);
  assert.match(version.stdout, /^restic-monitor \d+\.\d+\.\d+\n$/);
  const help = await runCli(['--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^Usage: restic-monitor \[command\] \[options\]/);
  assert.match(help.stdout, /Exit codes: 0 all up and pushed; 1 something down or a push failed; 2 config or usage error\./);
});

test('validate counts repositories and, when hosts fan one out, its checks', async () => {
  const path = join(root, 'hosts.yaml');
  await writeFile(path, 'repositories:\n  fleet:\n    url: /srv/fleet\n    hosts:\n      web1: {}\n      web2: {max_age: 6h}\n  solo: {url: /srv/solo}\n');
  const result = await runCli(['validate', '--config', path], { env: { RESTIC_MONITOR_READER: undefined } });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /\n# config OK: 2 repositories, 3 checks\n$/);
  assert.match(result.stdout, /fleet\/web2:\n    url: \/srv\/fleet\n    mode: restic\n    max_age: 6h/);
});

describe("push_url pasted from Kuma, token and query included", () => {
  const pasted = () => `${receiver.pushUrl}${WEB_TOKEN}?status=up&msg=OK&ping=`;
  const write = async () => {
    const path = join(root, 'pasted.yaml');
    await writeFile(path, `repositories:\n  web-server:\n    url: ${root}/restic-web-server\n    push_url: "${pasted()}"\n`);
    return path;
  };

  test('validate shows the split URL with the token masked', async () => {
    const result = await runCli(['validate', '-c', await write()], { env: env() });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, new RegExp(`\\n    push: ${receiver.pushUrl.replace(/[.]/g, '\\.')}\\*\\*\\*\\n`));
    assert.ok(!result.stdout.includes(WEB_TOKEN), 'token in validate output');
  });

  test('with a push_token beside it, the config error names both keys and shows no token', async () => {
    const path = join(root, 'pasted-twice.yaml');
    await writeFile(path, `repositories:\n  web-server:\n    url: ${root}/restic-web-server\n    push_url: "${pasted()}"\n    push_token: ${DB_TOKEN}\n`);
    const result = await runCli(['run', '-c', path], { env: env() });
    assert.equal(result.code, 2);
    assert.equal(
      result.stderr,
      `restic-monitor: config error in ${path}:\n  repositories.web-server.push_url: holds a push token (after /api/push/) and repositories.web-server.push_token is set too: keep only one\n`,
    );
    assert.equal(result.stdout, '');
  });
});
