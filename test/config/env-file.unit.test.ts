import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { EnvFileError, parseEnvFile } from '../../src/config/env-file.js';
import { loadEnvFile, MAX_ENV_FILE_BYTES, resolveEnvFilePath } from '../../src/config/env-file-load.js';
import { tempDir } from '../helpers/restic-repos.js';

const SOURCE = 'env file /x';

test('KEY=VALUE lines, comments, blank lines, export and quotes', () => {
  const text = [
    '# credentials for the monitor',
    '',
    'RESTIC_PASSWORD=plain value  ',
    '  export AWS_ACCESS_KEY_ID=AKIA1234',
    "SINGLE='lit\\eral \"x\" # not a comment'",
    'DOUBLE="a \\"quoted\\" \\\\ \\$HOME\\nnext"   # trailing comment',
    'INLINE=abc #comment',
    'HASH=abc#def',
    'EMPTY=',
    'EMPTY_QUOTED=""',
    'SPACED = around ',
    'EQUALS=a=b=c',
    'RESTIC_PASSWORD=second wins',
  ].join('\r\n');
  assert.deepEqual(parseEnvFile(text, SOURCE), {
    RESTIC_PASSWORD: 'second wins',
    AWS_ACCESS_KEY_ID: 'AKIA1234',
    SINGLE: 'lit\\eral "x" # not a comment',
    DOUBLE: 'a "quoted" \\ $HOME\nnext',
    INLINE: 'abc',
    HASH: 'abc#def',
    EMPTY: '',
    EMPTY_QUOTED: '',
    SPACED: 'around',
    EQUALS: 'a=b=c',
  });
});

test('a byte-order mark and a missing final newline are fine', () => {
  assert.deepEqual(parseEnvFile('\uFEFFA=1\nB=2', SOURCE), { A: '1', B: '2' });
});

const bad: Array<[string, string]> = [
  ['A=1\nsecret-token-without-key\n', 'env file /x, line 2: expected KEY=VALUE'],
  ['\n\n1ABC=secret-value', 'env file /x, line 3: the name before "=" must be letters, digits and _ (not starting with a digit)'],
  ['MY-KEY=secret-value', 'env file /x, line 1: the name before "=" must be letters, digits and _ (not starting with a digit)'],
  ['=secret-value', 'env file /x, line 1: the name before "=" must be letters, digits and _ (not starting with a digit)'],
  ['A="secret-value', 'env file /x, line 1: the double quote is not closed on this line'],
  ["A='secret-value\nB=x'", "env file /x, line 1: the single quote is not closed on this line"],
  ['A="secret"value', 'env file /x, line 1: unexpected text after the closing double quote'],
  ['\nAWS_SECRET_ACCESS_KEY=secret\0tail', 'env file /x, line 2: the value of AWS_SECRET_ACCESS_KEY holds a NUL character (\\0), which no environment variable can carry'],
];
for (const [text, message] of bad) {
  test(`bad line is named without its text: ${JSON.stringify(text)}`, () => {
    assert.throws(() => parseEnvFile(text, SOURCE), (error: unknown) => {
      assert.ok(error instanceof EnvFileError);
      assert.equal(error.message, message);
      assert.ok(!error.message.includes('secret'), 'the message must not echo the line');
      return true;
    });
  });
}

test('a bare name is a credential under $CREDENTIALS_DIRECTORY; a path is a path', () => {
  const env = { CREDENTIALS_DIRECTORY: '/run/credentials/restic-monitor.service' };
  assert.equal(resolveEnvFilePath('env', env), '/run/credentials/restic-monitor.service/env');
  assert.equal(resolveEnvFilePath('./env', env), './env');
  assert.equal(resolveEnvFilePath('/etc/restic-monitor/env', env), '/etc/restic-monitor/env');
  assert.equal(resolveEnvFilePath('env', {}), 'env');
});

test('loadEnvFile lays the file over the environment; values are secrets except plain settings', async () => {
  const dir = await tempDir('rm-envfile-');
  await writeFile(join(dir, 'env'), 'RESTIC_PASSWORD=from-file\nRESTIC_MONITOR_FAST=true\nAWS_DEFAULT_REGION=eu-west-1\n');
  const loaded = await loadEnvFile(undefined, { RESTIC_MONITOR_ENV_FILE: 'env', CREDENTIALS_DIRECTORY: dir, RESTIC_PASSWORD: 'old', HOME: '/h' });
  assert.equal(loaded.path, join(dir, 'env'));
  assert.deepEqual(loaded.secrets, ['from-file']);
  assert.equal(loaded.env.RESTIC_PASSWORD, 'from-file');
  assert.equal(loaded.env.RESTIC_MONITOR_FAST, 'true');
  assert.equal(loaded.env.HOME, '/h');
  // --env-file wins over the variable.
  await writeFile(join(dir, 'other'), 'X=y-from-other\n');
  assert.deepEqual((await loadEnvFile(join(dir, 'other'), { RESTIC_MONITOR_ENV_FILE: 'env' })).secrets, ['y-from-other']);
  // Nothing asked for: the environment unchanged.
  assert.deepEqual(await loadEnvFile(undefined, { A: 'b', RESTIC_MONITOR_ENV_FILE: '' }), { env: { A: 'b', RESTIC_MONITOR_ENV_FILE: '' }, secrets: [] });
});

test('loadEnvFile names the file it could not read', async () => {
  const dir = await tempDir('rm-envfile-');
  await mkdir(join(dir, 'sub'));
  await assert.rejects(loadEnvFile(join(dir, 'missing'), {}), { message: `cannot read env file ${join(dir, 'missing')}: no such file` });
  await assert.rejects(loadEnvFile(join(dir, 'sub'), {}), { message: `cannot read env file ${join(dir, 'sub')}: it is a directory` });
  await assert.rejects(loadEnvFile('env', { CREDENTIALS_DIRECTORY: dir }), { message: `cannot read env file ${join(dir, 'env')}: no such file` });
  await writeFile(join(dir, 'huge'), `A=${'x'.repeat(MAX_ENV_FILE_BYTES)}\n`);
  await assert.rejects(loadEnvFile(join(dir, 'huge'), {}), {
    message: `env file ${join(dir, 'huge')} is too large (${MAX_ENV_FILE_BYTES + 3} bytes; at most ${MAX_ENV_FILE_BYTES})`,
  });
});
