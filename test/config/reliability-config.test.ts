import assert from 'node:assert/strict';
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { cliForNobody } from '../helpers/unprivileged.js';
import { tempDir } from '../helpers/restic-repos.js';

let root: string;
before(async () => {
  root = await tempDir();
});

/** Writes `text` as a config, runs validate on it, and returns what a user sees. */
async function validate(name: string, text: string | Buffer) {
  const path = join(root, name);
  await writeFile(path, text);
  const result = await runCli(['validate', '--config', path]);
  return { ...result, path };
}

const expectError = async (name: string, text: string | Buffer, problem: string) => {
  const result = await validate(name, text);
  assert.equal(result.code, 2, result.stdout);
  assert.equal(result.stderr, `restic-monitor: config error in ${result.path}:\n  ${problem}\n`);
  assert.equal(result.stdout, '');
  assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
};

test('not YAML at all', () => expectError('tab.yaml', 'repositories:\n\t- x: [\n', 'not valid YAML: Tabs are not allowed as indentation at line 2, column 1'));
test('an empty file', () => expectError('empty.yaml', '', 'the config is empty: it needs a "repositories" mapping'));
test('YAML that is not a mapping', () => expectError('scalar.yaml', '42\n', 'the config must be a mapping with "repositories", got a number'));
test('duplicate keys', () => expectError('dupe.yaml', 'repositories:\n  a: {url: /a}\n  a: {url: /b}\n', 'not valid YAML: Map keys must be unique at line 3, column 3'));
test('a list where a map goes', () => expectError('list.yaml', 'defaults: [a]\nrepositories:\n  a: {url: /a}\n', 'defaults: expected a mapping, got a list'));
test('binary junk', () => expectError('junk.yaml', Buffer.from([0x00, 0xff, 0xfe, 0x41, 0x0a]), 'the config must be a mapping with "repositories", got a string'));

test('an alias bomb is refused, not expanded', () =>
  expectError(
    'bomb.yaml',
    `a: &a [x, x, x, x, x, x, x, x, x, x]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]
repositories: {x: {url: /x}}
`,
    'not valid YAML: Excessive alias count indicates a resource exhaustion attack',
  ));

test('a 10 MB config is refused by size before it is parsed', async () => {
  const big = `repositories:\n${'  # padding padding padding padding padding padding padding padding padding padding\n'.repeat(130_000)}  a: {url: /a}\n`;
  assert.ok(big.length > 10_000_000);
  const mib = (Buffer.byteLength(big) / 1048576).toFixed(1);
  await expectError('huge.yaml', big, `config file ${join(root, 'huge.yaml')} is too large (${mib} MiB; at most 4 MiB)`);
});

test('a config file that cannot be read (as an unprivileged user)', async () => {
  const path = join(root, 'secret.yaml');
  await writeFile(path, 'repositories: {a: {url: /a}}\n');
  await chmod(path, 0o600);
  await chmod(root, 0o755);
  const { spawnSync } = await import('node:child_process');
  // root reads everything; the test runs the CLI as nobody to see what a service user sees.
  const cli = await cliForNobody();
  const result = spawnSync('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', process.execPath, cli, 'validate', '--config', path], { encoding: 'utf8' });
  assert.equal(result.stderr, `restic-monitor: config error in ${path}:\n  cannot read config file ${path}: permission denied\n`);
  assert.equal(result.status, 2);
});

test('a template that would print ({{ log Name }}) is refused, and nothing reaches stdout', () =>
  expectError(
    'log.yaml',
    'repositories:\n  db: {url: "/srv/{{ log Name }}"}\n',
    'repositories.db.url: unsupported template "{{ log Name }}": only variables are ({{ .Name }} or {{ Name }}) supported, not conditions, loops, pipelines or functions',
  ));

test('two checks of one name (a key "fleet/web1" beside fleet\'s host web1) are refused, naming both', () =>
  expectError(
    'collision.yaml',
    'defaults: {url: /srv/x}\nrepositories:\n  fleet/web1: {}\n  fleet:\n    hosts:\n      web1:\n',
    'repositories.fleet.hosts.web1: check name "fleet/web1" is taken by repositories.fleet/web1 (check names must be unique: rename one)',
  ));
