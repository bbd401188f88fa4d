import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { assertNoCanary, CANARY, CANARY_ENV as env, canaryConfig, KNOWN_TOKENS } from './helpers/canaries.js';
import { runCli } from './helpers/cli.js';
import { startPushReceiver, type PushReceiver } from './helpers/push-receiver.js';
import { makeRepository, tempDir } from './helpers/restic-repos.js';

// What the monitor prints and pushes after reading repositories, restic's own failures
// included: under every restic version (scripts/test.sh). The commands that read none
// (validate, config errors, test-push) are in secrets-no-restic.test.ts.
let root: string;
let receiver: PushReceiver;
let config: string;

before(async () => {
  root = await tempDir();
  receiver = await startPushReceiver(KNOWN_TOKENS);
  await makeRepository(join(root, 'real'), [{ time: '2020-01-01 00:00:00' }]);
  config = join(root, 'config.yaml');
  await writeFile(config, canaryConfig(root, receiver.pushUrl));
});
after(() => receiver.close());

test('no secret appears in what status, run and run --dry-run print or push, restic\'s failures included', async () => {
  const outputs = [];
  outputs.push(await runCli(['status', '--config', config], { env }));
  outputs.push(await runCli(['status', '--json', '--config', config], { env }));
  outputs.push(await runCli(['run', '--config', config], { env }));
  // What a dry run would push where.
  outputs.push(await runCli(['run', '--dry-run', '--config', config], { env }));

  assert.equal(outputs[2]!.code, 1);
  assert.match(outputs[2]!.stdout, /wrong-password: check failed: wrong password or no key found/);
  assert.match(outputs[2]!.stdout, /fast-s3: check failed: endpoint unreachable: 127\.0\.0\.1:1 refused the connection \[push to healthchecks failed: connection refused\]/);
  assert.ok(receiver.beats.length >= 2, 'pushes arrived');
  assert.ok(receiver.beats.some((beat) => beat.token === CANARY.pastedToken), 'the token pasted in push_url was used');
  assert.match(outputs[3]!.stdout, /^DOWN fast-s3: .* \[would push down to healthchecks http:\/\/127\.0\.0\.1:1\/\*\*\*\/fail\]$/m);
  assertNoCanary(outputs, receiver.beats.map((beat) => beat.msg));
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
