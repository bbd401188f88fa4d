import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from './helpers/cli.js';
import { ROOT } from './helpers/paths.js';

test('config.example.yaml validates, with the secret it references from the environment', async () => {
  const result = await runCli(['validate', '--config', join(ROOT, 'config.example.yaml')], { env: { AWS_SECRET_ACCESS_KEY: 'example-secret-value' } });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /# config OK: 2 repositories/);
  assert.ok(!result.stdout.includes('example-secret-value'));
});

test('without that variable it names what is missing', async () => {
  const result = await runCli(['validate', '--config', join(ROOT, 'config.example.yaml')], { env: { AWS_SECRET_ACCESS_KEY: undefined } });
  assert.equal(result.code, 2);
  assert.equal(
    result.stderr,
    `restic-monitor: config error in ${join(ROOT, 'config.example.yaml')}:\n  defaults.extra_env.AWS_SECRET_ACCESS_KEY: environment variable AWS_SECRET_ACCESS_KEY is not set\n`,
  );
});
