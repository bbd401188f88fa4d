import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runCli, type CliResult } from '../helpers/cli.js';
import { startPushReceiver, type PushReceiver } from '../helpers/push-receiver.js';
import { makeRepository, PASSWORD, resticTime, tempDir } from '../helpers/restic-repos.js';

// Canaries: every one of these reaches restic, the config or the push, and none may be shown.
const TOKEN = 'canary-push-token-8d1f0c';
const REPO_PART = 'canary-repo-dir-5e7a';
const MISSING_PART = 'canary-missing-dir-93b2';
const UNUSED = 'canary-unused-value-4411';
const CANARIES = [PASSWORD, TOKEN, REPO_PART, MISSING_PART, UNUSED];

let dir: string;
let receiver: PushReceiver;
let configPath: string;

before(async () => {
  dir = await tempDir('rm-envfile-cli-');
  await makeRepository(join(dir, REPO_PART), [{ time: resticTime(60_000) }]);
  receiver = await startPushReceiver([TOKEN]);
  configPath = join(dir, 'config.yaml');
  // Nothing secret in the config: it only names variables the env file supplies.
  await writeFile(
    configPath,
    [
      'defaults:',
      `  push_url: ${receiver.pushUrl}`,
      '  max_age: 1d',
      `  cache_dir: ${join(dir, 'cache')}`,
      'repositories:',
      '  fresh:',
      `    url: "${dir}/\${REPO_DIR}"`,
      '    push_token: "${PUSH_TOKEN}"',
      '  broken:',
      `    url: "${dir}/\${MISSING_DIR}"`,
      '',
    ].join('\n'),
  );
  await writeFile(
    join(dir, 'env'),
    [
      '# secrets for restic-monitor',
      `export RESTIC_PASSWORD='${PASSWORD}'`,
      `PUSH_TOKEN="${TOKEN}"`,
      `REPO_DIR=${REPO_PART}`,
      `MISSING_DIR=${MISSING_PART}`,
      `UNUSED=${UNUSED}`,
      '',
    ].join('\n'),
  );
});

after(() => receiver.close());

// RESTIC_PASSWORD must come from the file alone.
const baseEnv = { RESTIC_PASSWORD: undefined, RESTIC_MONITOR_ENV_FILE: undefined, CREDENTIALS_DIRECTORY: undefined };

function assertNoCanary(result: CliResult, what: string): void {
  for (const canary of CANARIES) {
    assert.ok(!result.stdout.includes(canary), `${what}: stdout shows ${canary}:\n${result.stdout}`);
    assert.ok(!result.stderr.includes(canary), `${what}: stderr shows ${canary}:\n${result.stderr}`);
  }
}

test('run --environment-file: restic and ${VAR} see the file, the push arrives, no value is shown', async () => {
  const result = await runCli(['run', '-c', configPath, '--environment-file', join(dir, 'env')], { env: { ...baseEnv, LOG_LEVEL: 'debug' } });
  assertNoCanary(result, 'run');
  assert.equal(result.code, 1, result.stderr); // "broken" is down
  assert.match(result.stdout, /^UP {3}fresh: latest snapshot /m);
  assert.match(result.stdout, /^DOWN broken: check failed: repository not found/m);
  const beats = receiver.beats.filter((beat) => beat.token === TOKEN);
  assert.equal(beats.length, 1);
  assert.equal(beats[0]!.status, 'up');
  assert.match(beats[0]!.msg, /^latest snapshot /);
});

test('status --json, validate and validate --json show no env-file value', async () => {
  for (const args of [['status', '--json'], ['status'], ['validate'], ['validate', '--json']]) {
    const result = await runCli([...args, '-c', configPath, '--environment-file', join(dir, 'env')], { env: baseEnv });
    assertNoCanary(result, args.join(' '));
    if (args[0] === 'validate') assert.equal(result.code, 0, result.stderr);
  }
});

test('under systemd: RESTIC_MONITOR_ENV_FILE names a credential in $CREDENTIALS_DIRECTORY', async () => {
  const result = await runCli(['status', '--json', '-c', configPath, '--only', 'fresh'], {
    env: { ...baseEnv, CREDENTIALS_DIRECTORY: dir, RESTIC_MONITOR_ENV_FILE: 'env' },
  });
  assertNoCanary(result, 'status via credentials');
  assert.equal(result.code, 0, result.stderr);
  const [fresh] = JSON.parse(result.stdout) as Array<{ name: string; status: string }>;
  assert.deepEqual([fresh!.name, fresh!.status], ['fresh', 'up']);
});

test('$CREDENTIALS_DIRECTORY is a path, not a secret: a message that names it shows it', async () => {
  const credentials = join(dir, 'credentials');
  await mkdir(credentials, { recursive: true });
  await writeFile(join(credentials, 'env'), `REPO_DIR=${REPO_PART}\n`);
  const config = join(credentials, 'config.yaml');
  await writeFile(config, `repositories:\n  gone:\n    url: ${credentials}/nothere\n    mode: fast\n`);
  const result = await runCli(['status', '--json', '-c', config, '--environment-file', 'env'], { env: { ...baseEnv, CREDENTIALS_DIRECTORY: credentials } });
  assert.equal(result.code, 1, result.stderr);
  const [gone] = JSON.parse(result.stdout) as Array<{ error: string }>;
  assert.equal(gone!.error, `repository not found (no directory ${credentials}/nothere)`);
});

test('--env-file is another name for --environment-file; both at once is a usage error', async () => {
  const result = await runCli(['status', '--json', '-c', configPath, '--only', 'fresh', '--env-file', join(dir, 'env')], { env: baseEnv });
  assertNoCanary(result, 'status --env-file');
  assert.equal(result.code, 0, result.stderr);
  const [fresh] = JSON.parse(result.stdout) as Array<{ name: string; status: string }>;
  assert.deepEqual([fresh!.name, fresh!.status], ['fresh', 'up']);

  const equals = await runCli(['validate', '-c', configPath, `--env-file=${join(dir, 'env')}`], { env: baseEnv });
  assert.equal(equals.code, 0, equals.stderr);

  const both = await runCli(['validate', '-c', configPath, '--env-file', join(dir, 'env'), '--environment-file', join(dir, 'env')], { env: baseEnv });
  assert.equal(both.code, 2);
  assert.equal(both.stderr, 'restic-monitor: --env-file is another name for --environment-file: give one of them\nRun "restic-monitor --help" for usage.\n');
});

test('a bad env file exits 2 naming the file and line, not the value', async () => {
  const badPath = join(dir, 'bad.env');
  await writeFile(badPath, `A=1\n${TOKEN}\n`);
  const result = await runCli(['status', '-c', configPath, '--environment-file', badPath], { env: baseEnv });
  assert.equal(result.code, 2);
  assert.equal(result.stderr, `restic-monitor: env file ${badPath}, line 2: expected KEY=VALUE\n`);
  assert.equal(result.stdout, '');
});

test('a missing env file exits 2 before the config is read', async () => {
  const result = await runCli(['validate', '-c', join(dir, 'no-config.yaml'), '--environment-file', 'nope'], {
    env: { ...baseEnv, CREDENTIALS_DIRECTORY: dir },
  });
  assert.equal(result.code, 2);
  assert.equal(result.stderr, `restic-monitor: cannot read env file ${join(dir, 'nope')}: no such file\n`);
});

test('a value restic itself echoes (not a ${VAR}) is masked because it came from the env file', async () => {
  // restic prints a failing password command as it was given; a path to a password file,
  // by contrast, is not secret and is shown, so that a missing file can be found.
  const command = 'canary-password-command-77c0';
  await writeFile(join(dir, 'pwcommand.env'), `RESTIC_PASSWORD_COMMAND=${command}\nREPO_DIR=${REPO_PART}\nPUSH_TOKEN=${TOKEN}\nMISSING_DIR=${MISSING_PART}\n`);
  const result = await runCli(['status', '--json', '-c', configPath, '--only', 'fresh', '--environment-file', join(dir, 'pwcommand.env')], { env: baseEnv });
  assert.ok(!`${result.stdout}${result.stderr}`.includes('canary-password-command'), `${result.stdout}${result.stderr}`);
  assert.equal(result.code, 1, result.stderr);
  const [fresh] = JSON.parse(result.stdout) as Array<{ error: string }>;
  assert.equal(fresh!.error, 'restic exited with code 1: Resolving password failed: exec: "***": executable file not found in $PATH');
});

test('a missing password file is named, not masked: its path is no secret', async () => {
  const missing = join(dir, 'no-such-password-file');
  await writeFile(join(dir, 'pwfile.env'), `RESTIC_PASSWORD_FILE=${missing}\nREPO_DIR=${REPO_PART}\nPUSH_TOKEN=${TOKEN}\nMISSING_DIR=${MISSING_PART}\n`);
  const errorWith = async (reader: string) => {
    const result = await runCli(['status', '--json', '-c', configPath, '--only', 'fresh', '--environment-file', join(dir, 'pwfile.env')], {
      env: { ...baseEnv, RESTIC_PASSWORD: undefined, RESTIC_MONITOR_READER: reader },
    });
    return (JSON.parse(result.stdout) as Array<{ error: string }>)[0]!.error;
  };
  assert.equal(await errorWith('restic'), `restic exited with code 1: Resolving password failed: Fatal: ${missing} does not exist`);
  assert.equal(await errorWith('auto'), `password file ${missing} does not exist`);
});

test('RESTIC_MONITOR_CONFIG may come from the env file', async () => {
  const envPath = join(dir, 'with-config.env');
  await writeFile(envPath, `RESTIC_MONITOR_CONFIG=${configPath}\nREPO_DIR=${REPO_PART}\nPUSH_TOKEN=${TOKEN}\nMISSING_DIR=${MISSING_PART}\n`);
  const result = await runCli(['validate', '--environment-file', envPath], { env: { ...baseEnv, RESTIC_MONITOR_CONFIG: undefined }, cwd: dir });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /fresh/);
  assertNoCanary(result, 'validate via RESTIC_MONITOR_CONFIG');
});
