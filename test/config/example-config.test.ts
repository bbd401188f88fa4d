import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { ROOT } from '../helpers/paths.js';

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

test("every YAML config in the README and docs/ parses (with the environment its ${VAR}s name)", async () => {
  const { parseConfig } = await import('../../src/config/parse.js');
  const { markdownFiles, readBlocks } = await import('../docs/markdown.js');
  // The pages that show whole configs (the reference pages for one feature show fragments).
  const pages = markdownFiles(ROOT).filter((file) => ['README.md', 'docs/configuration.md', 'docs/uptime-kuma.md', 'docs/deployment.md', 'docs/modes.md'].includes(file));
  const configs = pages.flatMap((file) => readBlocks(ROOT, file).filter((block) => block.language === 'yaml' && /^repositories:/m.test(block.code)).map((block) => block.code));
  assert.ok(configs.length >= 5, `configs found: ${configs.length}`);
  for (const text of configs) {
    // Long enough for kuma.token_secret, which wants 16 characters at least.
    const env = Object.fromEntries([...text.matchAll(/\$\{([A-Z_]+)\}/g)].map((match) => [match[1]!, 'value-from-the-environment']));
    assert.ok(parseConfig(text, env).checks.length > 0, text);
  }
});
