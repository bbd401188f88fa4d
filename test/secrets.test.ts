import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runCli, type CliResult } from './helpers/cli.js';
import { FIXTURES } from './helpers/paths.js';
import { startPushReceiver, type PushReceiver } from './helpers/push-receiver.js';
import { makeRepository, tempDir } from './helpers/restic-repos.js';

// One canary per kind of secret; none of them may appear anywhere the monitor writes.
const CANARY = {
  token: 'canaryPushToken0001',
  unknownToken: 'canaryPushToken0002',
  extraEnv: 'canary-extra-env-0003',
  awsKeyId: 'canary-aws-key-id-0004',
  awsSecret: 'canary-aws-secret-0005',
  resticPassword: 'canary-restic-password-0006',
  urlPassword: 'canary-url-password-0007',
  envVar: 'canaryEnvVarToken0008',
  pingUuid: 'canary0009-ping-uuid-0000-000000000009',
  fastKeyId: 'CANARYFASTKEYID00010',
  fastSecret: 'canary-fast-secret-0011',
  hostVar: 'canary-host-from-env-0012',
  pastedToken: 'canaryPastedToken0013',
};

let root: string;
let receiver: PushReceiver;
let config: string;
const outputs: CliResult[] = [];

before(async () => {
  root = await tempDir();
  receiver = await startPushReceiver([CANARY.token, CANARY.envVar, CANARY.pastedToken]);
  await makeRepository(join(root, 'real'), [{ time: '2020-01-01 00:00:00' }]);
  config = join(root, 'config.yaml');
  await writeFile(
    config,
    `defaults:
  push_url: ${receiver.pushUrl}
  extra_env:
    AWS_ACCESS_KEY_ID: ${CANARY.awsKeyId}
    AWS_SECRET_ACCESS_KEY: ${CANARY.awsSecret}
    EXTRA_SECRET: ${CANARY.extraEnv}
    RESTIC_PASSWORD: ${CANARY.resticPassword}
repositories:
  wrong-password:
    url: ${join(root, 'real')}
    push_token: ${CANARY.token}
  url-password:
    url: rest:http://monitor:${CANARY.urlPassword}@127.0.0.1:1/repo
    push_token: ${CANARY.unknownToken}
    timeout: 3s  # restic 0.18 retries a refused connection until then
  from-env:
    url: ${join(root, 'missing')}
    push_token: \${TOKEN_FROM_ENV}
    host: \${HOST_FROM_ENV}
  pasted-push-url:
    url: ${join(root, 'missing')}
    push_url: "${receiver.pushUrl}${CANARY.pastedToken}?status=up&msg=OK&ping="
  fast-s3:
    url: s3:http://127.0.0.1:1/bucket/repo
    mode: fast
    ping_url: http://127.0.0.1:1/ping/${CANARY.pingUuid}
    extra_env: {AWS_ACCESS_KEY_ID: ${CANARY.fastKeyId}, AWS_SECRET_ACCESS_KEY: ${CANARY.fastSecret}}
`,
  );
});
after(() => receiver.close());

const env = { TOKEN_FROM_ENV: CANARY.envVar, HOST_FROM_ENV: CANARY.hostVar, LOG_LEVEL: 'debug' };

test('no secret appears in any output of any command or failure path', async () => {
  outputs.push(await runCli(['validate', '--config', config], { env }));
  outputs.push(await runCli(['validate', '--json', '--config', config], { env }));
  outputs.push(await runCli(['status', '--config', config], { env }));
  outputs.push(await runCli(['status', '--json', '--config', config], { env }));
  outputs.push(await runCli(['run', '--config', config], { env }));
  // restic itself echoing the secrets into its error text.
  outputs.push(await runCli(['run', '--config', config], { env: { ...env, RESTIC_MONITOR_READER: 'restic', RESTIC_MONITOR_RESTIC: join(FIXTURES, 'restic-leaky') } }));
  // A config error that quotes a value.
  const bad = join(root, 'bad.yaml');
  await writeFile(bad, `repositories:\n  x:\n    url: /x\n    push_url: "ftp://u:${CANARY.urlPassword}@h/"\n`);
  outputs.push(await runCli(['run', '--config', bad], { env }));
  // A bad push_url holding Kuma's token, and one beside a push_token.
  await writeFile(bad, `repositories:\n  x:\n    url: /x\n    push_url: "ftp://kuma/api/push/${CANARY.pastedToken}?status=up"\n  y:\n    url: /y\n    push_url: "http://kuma/api/push/${CANARY.pastedToken}"\n    push_token: ${CANARY.token}\n`);
  outputs.push(await runCli(['run', '--config', bad], { env }));
  // What a dry run would push where, and test beats: delivered, refused (unknown token), unreachable.
  outputs.push(await runCli(['run', '--dry-run', '--config', config], { env }));
  for (const name of ['from-env', 'pasted-push-url', 'url-password', 'fast-s3']) outputs.push(await runCli(['test-push', name, '--config', config], { env }));

  assert.equal(outputs[4]!.code, 1);
  assert.match(outputs[4]!.stdout, /wrong-password: check failed: wrong password or no key found/);
  assert.match(outputs[4]!.stdout, /fast-s3: check failed: endpoint unreachable: 127\.0\.0\.1:1 refused the connection \[push to healthchecks failed: connection refused\]/);
  assert.match(outputs[5]!.stdout, /check failed: restic exited with code 1: cannot open \S+ with password \*\*\*, key \*\*\*:\*\*\*, extra \*\*\*/);
  assert.ok(receiver.beats.length >= 2, 'pushes arrived');
  assert.ok(receiver.beats.some((beat) => beat.token === CANARY.pastedToken), 'the token pasted in push_url was used');
  assert.equal(outputs[7]!.code, 2);
  assert.match(outputs[8]!.stdout, /^DOWN fast-s3: .* \[would push down to healthchecks http:\/\/127\.0\.0\.1:1\/\*\*\*\/fail\]$/m);
  assert.deepEqual(outputs.slice(9).map((output) => output.code), [0, 0, 1, 1]);
  assert.match(outputs[11]!.stdout, /^url-password: test beat to uptime-kuma \S+\/api\/push\/\*\*\* failed: Uptime Kuma: HTTP 404: Monitor not found or not active\.$/m);

  const everything = [
    ...outputs.flatMap((output) => [output.stdout, output.stderr]),
    ...receiver.beats.map((beat) => beat.msg),
  ].join('\n');
  for (const [kind, canary] of Object.entries(CANARY)) {
    assert.ok(!everything.includes(canary), `${kind} leaked`);
  }
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

test('ping_url query values are masked by validate and run --dry-run', async () => {
  const path = join(root, 'ping-query.yaml');
  await writeFile(path, `repositories:\n  pinged:\n    url: ${join(root, 'missing')}\n    ping_url: "http://127.0.0.1:1/?key=QuerySecret0014&run=1"\n`);
  const validate = await runCli(['validate', '--config', path]);
  assert.match(validate.stdout, /^ {4}ping: http:\/\/127\.0\.0\.1:1\/\?key=\*\*\*&run=1$/m);
  const dryRun = await runCli(['run', '--dry-run', '--config', path]);
  assert.match(dryRun.stdout, /^DOWN pinged: .* \[would push down to healthchecks http:\/\/127\.0\.0\.1:1\/fail\?key=\*\*\*&run=1\]$/m);
  for (const output of [validate, dryRun]) assert.ok(!`${output.stdout}${output.stderr}`.includes('QuerySecret0014'), 'query key leaked');
});

test('a path built from ${CREDENTIALS_DIRECTORY} in RESTIC_PASSWORD_FILE is shown: it names the missing file, it is no secret', async () => {
  const path = join(root, 'password-file.yaml');
  await writeFile(path, `repositories:\n  pwfile:\n    url: ${join(root, 'real')}\n    extra_env: {RESTIC_PASSWORD_FILE: "\${CREDENTIALS_DIRECTORY}/nothere"}\n`);
  const credentials = join(root, 'credentials');
  const result = await runCli(['status', '--config', path], { env: { CREDENTIALS_DIRECTORY: credentials, RESTIC_MONITOR_READER: undefined } });
  assert.match(result.stdout, new RegExp(`^pwfile .* DOWN .* check failed: password file ${credentials}/nothere does not exist$`, 'm'));
});
