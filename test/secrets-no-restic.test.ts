import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { assertNoCanary, CANARY, CANARY_ENV as env, canaryConfig, KNOWN_TOKENS } from './helpers/canaries.js';
import { runCli, type CliResult } from './helpers/cli.js';
import { FIXTURES } from './helpers/paths.js';
import { startPushReceiver, type PushReceiver } from './helpers/push-receiver.js';
import { tempDir } from './helpers/restic-repos.js';

// Where no repository is read: validate, config errors, test beats, and a restic stand-in
// that echoes the secrets. No restic runs here, so, unlike secrets.test.ts, this suite runs
// once, not once per restic version (scripts/test.sh).
let root: string;
let receiver: PushReceiver;
let config: string;

before(async () => {
  root = await tempDir();
  receiver = await startPushReceiver(KNOWN_TOKENS);
  config = join(root, 'config.yaml');
  await writeFile(config, canaryConfig(root, receiver.pushUrl));
});
after(() => receiver.close());

test('no secret appears in validate, config errors, test beats or a restic that echoes them', async () => {
  const outputs: CliResult[] = [];
  outputs.push(await runCli(['validate', '--config', config], { env }));
  outputs.push(await runCli(['validate', '--json', '--config', config], { env }));
  // restic itself echoing the secrets into its error text.
  outputs.push(await runCli(['run', '--config', config], { env: { ...env, RESTIC_MONITOR_READER: 'restic', RESTIC_MONITOR_RESTIC: join(FIXTURES, 'restic-leaky') } }));
  // A config error that quotes a value.
  const bad = join(root, 'bad.yaml');
  await writeFile(bad, `repositories:\n  x:\n    url: /x\n    push_url: "ftp://u:${CANARY.urlPassword}@h/"\n`);
  outputs.push(await runCli(['run', '--config', bad], { env }));
  // A bad push_url holding Kuma's token, and one beside a push_token.
  await writeFile(bad, `repositories:\n  x:\n    url: /x\n    push_url: "ftp://kuma/api/push/${CANARY.pastedToken}?status=up"\n  y:\n    url: /y\n    push_url: "http://kuma/api/push/${CANARY.pastedToken}"\n    push_token: ${CANARY.token}\n`);
  outputs.push(await runCli(['run', '--config', bad], { env }));
  // Test beats: delivered, refused (unknown token), unreachable.
  for (const name of ['from-env', 'pasted-push-url', 'url-password', 'fast-s3']) outputs.push(await runCli(['test-push', name, '--config', config], { env }));

  assert.match(outputs[2]!.stdout, /check failed: restic exited with code 1: cannot open \S+ with password \*\*\*, key \*\*\*:\*\*\*, extra \*\*\*/);
  assert.equal(outputs[4]!.code, 2);
  assert.deepEqual(outputs.slice(5).map((output) => output.code), [0, 0, 1, 1]);
  assert.match(outputs[7]!.stdout, /^url-password: test beat to uptime-kuma \S+\/api\/push\/\*\*\* failed: Uptime Kuma: HTTP 404: Monitor not found or not active\.$/m);
  assert.ok(receiver.beats.length >= 2, 'pushes arrived');
  assert.ok(receiver.beats.some((beat) => beat.token === CANARY.pastedToken), 'the token pasted in push_url was used');
  assertNoCanary(outputs, receiver.beats.map((beat) => beat.msg));
});

test('a secret holding a NUL is refused before anything runs, in the config and in an environment file, naming the key only', async () => {
  const withNul = join(root, 'nul.yaml');
  await writeFile(withNul, `repositories:\n  nul:\n    url: ${join(root, 'real')}\n    extra_env: {AWS_SECRET_ACCESS_KEY: "SECRET\\0tail"}\n`);
  for (const command of ['validate', 'status']) {
    const result = await runCli([command, '--config', withNul]);
    assert.equal(result.code, 2);
    assert.equal(
      result.stderr,
      `restic-monitor: config error in ${withNul}:\n  repositories.nul.extra_env.AWS_SECRET_ACCESS_KEY: holds a NUL character (\\0), which no environment variable or command-line argument can carry\n`,
    );
  }
  const envFile = join(root, 'nul.env');
  await writeFile(envFile, 'AWS_SECRET_ACCESS_KEY=SECRET\0tail\n');
  const result = await runCli(['status', '--config', config, '--environment-file', envFile], { env });
  assert.equal(result.code, 2);
  assert.equal(result.stderr, `restic-monitor: env file ${envFile}, line 1: the value of AWS_SECRET_ACCESS_KEY holds a NUL character (\\0), which no environment variable can carry\n`);
  assert.equal(result.stdout, '');
});

test('a path built from ${CREDENTIALS_DIRECTORY} in RESTIC_PASSWORD_FILE is shown: it names the missing file, it is no secret', async () => {
  const path = join(root, 'password-file.yaml');
  await writeFile(path, `repositories:\n  pwfile:\n    url: ${join(root, 'real')}\n    extra_env: {RESTIC_PASSWORD_FILE: "\${CREDENTIALS_DIRECTORY}/nothere"}\n`);
  const credentials = join(root, 'credentials');
  const result = await runCli(['status', '--config', path], { env: { CREDENTIALS_DIRECTORY: credentials, RESTIC_MONITOR_READER: undefined } });
  assert.match(result.stdout, new RegExp(`^pwfile .* DOWN .* check failed: password file ${credentials}/nothere does not exist$`, 'm'));
});
