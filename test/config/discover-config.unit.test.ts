// `discover:` as the config reads it: each bad entry's exact message, and what a good one gives.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfig } from '../../src/config/parse.js';
import { configProblems } from '../helpers/config-problems.js';

const REPO = 'repositories:\n  db: {url: /srv/db}\n';

test('every bad discover: entry is reported with its place in the list', () => {
  const table: Array<[string, string[]]> = [
    ['discover: s3:https://h/b\n', ['discover: expected a list of locations (- url: s3:https://HOST/BUCKET/PREFIX), got a string']],
    ['discover: {url: /srv}\n', ['discover: expected a list of locations (- url: s3:https://HOST/BUCKET/PREFIX), got a mapping']],
    ['discover: []\n', ['discover: empty: list at least one location, or leave the key out']],
    ['discover:\n  - /srv/backups\n', ['discover[0]: expected a mapping (url: ..., check: true), got a string']],
    ['discover:\n  - {check: false}\n', ['discover[0].url: missing: where to look (an s3: prefix, a directory or rclone:REMOTE:PATH)']],
    ['discover:\n  - {url: /a}\n  - {}\n', ['discover[1].url: missing: where to look (an s3: prefix, a directory or rclone:REMOTE:PATH)']],
    ['discover:\n  - {url: /srv, chek: false}\n', ['discover[0]: unknown key "chek" (did you mean "check"?)']],
    ['discover:\n  - {url: /srv, max_age: 1d}\n', ['discover[0]: unknown key "max_age"']],
    ['discover:\n  - {url: 42}\n', ['discover[0].url: expected a string, got a number (put it in quotes)']],
    ['discover:\n  - {url: [a]}\n', ['discover[0].url: expected a string, got a list']],
    ['discover:\n  - {url: ""}\n', ['discover[0].url: is empty']],
    ['discover:\n  - {url: /srv, check: "no"}\n', ['discover[0].check: expected true or false, got a string']],
    ['discover:\n  - {url: /srv, check: 1}\n', ['discover[0].check: expected true or false, got a number']],
    ['discover:\n  - {url: "sftp:host:/srv"}\n', ['discover[0].url: "sftp:host:/srv" cannot be listed: discover reads s3: prefixes, rclone:REMOTE:PATH and local directories, not sftp:']],
    ['discover:\n  - {url: "rest:http://127.0.0.1:8000/"}\n', ['discover[0].url: "rest:http://127.0.0.1:8000/" cannot be listed: discover reads s3: prefixes, rclone:REMOTE:PATH and local directories, not rest:']],
    ['discover:\n  - {url: "rclone:nas"}\n', ['discover[0].url: "rclone:nas" needs the form rclone:REMOTE:PATH']],
    ['discover:\n  - {url: "s3:https://host"}\n', ['discover[0].url: "s3:https://host" has no bucket (expected s3:https://HOST/BUCKET/PREFIX or s3:HOST/BUCKET/PREFIX)']],
    ['discover:\n  - {url: "s3:https://u:hunter22@host/b/p"}\n  - {url: "s3:https://u:hunter22@host:443/b/p/"}\n', ['discover[1].url: "s3:https://u:***@host:443/b/p/" is listed twice (also discover[0])']],
    ['discover:\n  - {url: "${BUCKET}"}\n', ['discover[0].url: environment variable BUCKET is not set']],
    // The listing's own keys in defaults are validated with discover: even without repositories.
    ['defaults: {timeout: 5x}\ndiscover:\n  - {url: /srv}\n', ['defaults.timeout: "5x" is not a duration (e.g. 1d, 6h, 30m, 1h30m)']],
  ];
  for (const [text, expected] of table) {
    const full = text.startsWith('defaults') ? text : `${REPO}${text}`;
    assert.deepEqual(configProblems(full), expected, text);
  }
});

test('a config may have discover: and no repositories of its own; check defaults to true', () => {
  const config = parseConfig('defaults: {max_age: 6h, extra_env: {AWS_SECRET_ACCESS_KEY: "${KEY}"}}\ndiscover:\n  - url: s3:https://s3.example.com/backups/hosts\n  - {url: /srv/restic, check: false}\n', { KEY: 'the-secret-key' });
  assert.deepEqual(config.checks, []);
  assert.deepEqual(
    config.discover!.locations.map(({ where, url, check }) => ({ where, url, check })),
    [
      { where: 'discover[0]', url: 's3:https://s3.example.com/backups/hosts', check: true },
      { where: 'discover[1]', url: '/srv/restic', check: false },
    ],
  );
  // The listing takes defaults' credentials and limits, and their secrets are known at once.
  assert.equal(config.discover!.locations[0]!.listing.extraEnv.AWS_SECRET_ACCESS_KEY, 'the-secret-key');
  assert.equal(config.discover!.locations[0]!.listing.maxAgeMs, 6 * 3_600_000);
  assert.ok(config.secrets.includes('the-secret-key'));
});

test('a repository found is checked with defaults: its path is {{ .Name }}', () => {
  const config = parseConfig(
    'defaults:\n  max_age: 2d\n  ping_url: "https://hc.example.com/ping/{{ .Name }}"\ndiscover:\n  - url: s3:https://s3.example.com/b/p\n',
    {},
  );
  const built = config.discover!.checkFor('host1/web', 's3:https://s3.example.com/b/p/host1/web');
  assert.ok('check' in built);
  assert.equal(built.check.name, 'host1/web');
  assert.equal(built.check.repository, 'host1/web');
  assert.equal(built.check.url, 's3:https://s3.example.com/b/p/host1/web');
  assert.equal(built.check.maxAgeMs, 2 * 86_400_000);
  assert.equal(built.check.pingUrl, 'https://hc.example.com/ping/host1/web');
  // A token with "/" cannot be pushed: the problem names defaults and the found repository.
  assert.deepEqual(config.discover!.checkFor('host1/web', 's3:https://s3.example.com/b/p/host1/web'), built);
  const token = parseConfig('defaults:\n  push_url: https://kuma.example.com/api/push/\n  push_token: "{{ .Name }}"\ndiscover:\n  - url: /srv\n', {}).discover!.checkFor('a/b', '/srv/a/b');
  assert.deepEqual(token, { problems: ['defaults.push_token: has characters that do not belong in a URL (allowed: letters, digits, . _ ~ -)'] });
  // A "${" in a folder name is a name, not a variable.
  const odd = parseConfig('discover:\n  - url: /srv\n', {}).discover!.checkFor('${HOME}', '/srv/${HOME}');
  assert.ok('check' in odd);
  assert.equal(odd.check.url, '/srv/${HOME}');
});
