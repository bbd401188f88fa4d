import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfig } from '../../src/config/parse.js';
import { formatValidation } from '../../src/cli/format.js';
import { Redactor } from '../../src/redact.js';
import { configProblems } from '../helpers/config-problems.js';

const problems = configProblems;

const SHARED = `
defaults:
  url: "/srv/restic/{{ .Name }}"
  max_age: 1d
  push_url: https://kuma.example.com/api/push/
  extra_env:
    RESTIC_PASSWORD: pw-default-1234
repositories:
  shared:
    max_age: 2d
    timeout: 5m
    extra_env:
      RESTIC_CACHE_DIR: /var/cache/restic
    hosts:
      web1:
        push_token: tokenWeb1
      web2:
        push_token: tokenWeb2
        max_age: 6h
        tags: [daily]
        extra_env:
          RESTIC_PASSWORD: pw-web2-5678
      db1:
`;

test('hosts fans a repository out into one check per host, named <repository>/<host>', () => {
  const config = parseConfig(SHARED, {});
  assert.deepEqual(
    config.checks.map((r) => [r.name, r.url, r.host, r.maxAgeMs / 3_600_000, r.timeoutMs / 60_000, r.pushToken, r.tags]),
    [
      ['shared/web1', '/srv/restic/shared', 'web1', 48, 5, 'tokenWeb1', []],
      ['shared/web2', '/srv/restic/shared', 'web2', 6, 5, 'tokenWeb2', ['daily']],
      ['shared/db1', '/srv/restic/shared', 'db1', 48, 5, undefined, []],
    ],
  );
});

test('a host entry merges extra_env key by key over its repository and defaults', () => {
  const [web1, web2] = parseConfig(SHARED, {}).checks;
  assert.deepEqual(web1!.extraEnv, { RESTIC_PASSWORD: 'pw-default-1234', RESTIC_CACHE_DIR: '/var/cache/restic' });
  assert.deepEqual(web2!.extraEnv, { RESTIC_PASSWORD: 'pw-web2-5678', RESTIC_CACHE_DIR: '/var/cache/restic' });
});

test('templates see .Name as the repository key and .Host as the host', () => {
  const config = parseConfig(
    `
repositories:
  shared:
    url: /srv/{{ .Name }}
    ping_url: "https://hc.example.com/ping/\${HC_KEY}/{{ .Name }}-{{ .Host }}"
    hosts:
      web1:
`,
    { HC_KEY: 'projectPingKey-0123456789' },
  );
  assert.equal(config.checks[0]!.url, '/srv/shared');
  assert.equal(config.checks[0]!.pingUrl, 'https://hc.example.com/ping/projectPingKey-0123456789/shared-web1');
});

test('check names are unique: a repository key that equals a host check is an error naming both', () => {
  const tail = '(check names must be unique: rename one)';
  assert.deepEqual(problems('defaults: {url: /srv/x}\nrepositories:\n  fleet/web1: {}\n  fleet:\n    hosts:\n      web1:\n      web2:\n'), [
    `repositories.fleet.hosts.web1: check name "fleet/web1" is taken by repositories.fleet/web1 ${tail}`,
  ]);
  assert.deepEqual(problems('defaults: {url: /srv/x}\nrepositories:\n  fleet:\n    hosts:\n      web1:\n  fleet/web1: {}\n'), [
    `repositories.fleet/web1: check name "fleet/web1" is taken by repositories.fleet.hosts.web1 ${tail}`,
  ]);
  assert.deepEqual(problems('defaults: {url: /srv/x}\nrepositories:\n  a/b:\n    hosts: {c: }\n  a:\n    hosts: {b/c: }\n'), [
    `repositories.a.hosts.b/c: check name "a/b/c" is taken by repositories.a/b.hosts.c ${tail}`,
  ]);
  // A "/" alone is no collision: the original tool accepted any key.
  assert.deepEqual(parseConfig('defaults: {url: /srv/x}\nrepositories:\n  site/db: {}\n  site:\n    hosts: {web1: }\n', {}).checks.map((r) => r.name), [
    'site/db',
    'site/web1',
  ]);
});

test('a Go action in a host check names the variables a host check knows', () => {
  assert.deepEqual(problems('repositories:\n  fleet:\n    url: /srv/fleet\n    push_token: "{{ range .Host }}x{{ end }}"\n    push_url: https://kuma.example.com/api/push/\n    hosts:\n      web1:\n'), [
    'repositories.fleet.push_token: unsupported template "{{ range .Host }}": only variables are ({{ .Name }}, {{ .Host }} or {{ Name }}, {{ Host }}) supported, not conditions, loops, pipelines or functions',
  ]);
});

test('bad host entries are reported with their key path', () => {
  assert.deepEqual(
    problems(`
repositories:
  shared:
    url: /srv/shared
    hosts:
      web1:
        url: /elsewhere
        host: web2
      web2: [a]
      web3:
        max_ag: 1d
        max_age: soon
`),
    [
      "repositories.shared.hosts.web1.url: not allowed here: a host shares its repository's url",
      'repositories.shared.hosts.web1.host: not allowed here: the host is the key of this entry',
      'repositories.shared.hosts.web2: expected a mapping, got a list',
      'repositories.shared.hosts.web3: unknown key "max_ag" (did you mean "max_age"?)',
      'repositories.shared.hosts.web3.max_age: "soon" is not a duration (e.g. 1d, 6h, 30m, 1h30m)',
    ],
  );
});

test('hosts must be a non-empty mapping, not beside host, not in defaults', () => {
  assert.deepEqual(problems('repositories:\n  a:\n    url: /a\n    hosts: [web1]\n'), [
    'repositories.a.hosts: expected a mapping of host names (host: { push_token: ... }), got a list',
  ]);
  assert.deepEqual(problems('repositories:\n  a:\n    url: /a\n    hosts: {}\n'), ['repositories.a.hosts: empty: name at least one host, or remove the key']);
  assert.deepEqual(problems('repositories:\n  a:\n    url: /a\n    host: web1\n    hosts:\n      web2:\n'), [
    'repositories.a: "host" and "hosts" cannot both be set (hosts already filters each check by its host)',
  ]);
  assert.deepEqual(problems('defaults:\n  hosts:\n    web1:\nrepositories:\n  a:\n    url: /a\n'), [
    'defaults.hosts: not allowed here: only a repository can fan out into hosts',
  ]);
});

test('ping_url must be http(s); its path is a secret', () => {
  assert.deepEqual(problems('repositories:\n  a:\n    url: /a\n    ping_url: ftp://hc.example.com/x\n'), [
    'repositories.a.ping_url: "ftp://hc.example.com/x" is not an http(s) URL',
  ]);
  const uuid = '5bd0c1a2-6b1e-4f0e-9b7a-3c2d1e0f9a8b';
  const config = parseConfig(`repositories:\n  a:\n    url: /a\n    ping_url: https://hc-ping.com/${uuid}\n`, {});
  assert.ok(config.secrets.includes(uuid));
  const shown = formatValidation(config, new Redactor(config.secrets), false);
  assert.match(shown, /ping: https:\/\/hc-ping\.com\/\*\*\*/);
  assert.ok(!shown.includes(uuid));
});

test('validate says that a filtered check uses restic even where fast mode was asked for', () => {
  const config = parseConfig('repositories:\n  a:\n    url: /a\n    mode: fast\n    hosts:\n      web1:\n  b:\n    url: /b\n    mode: fast\n', {});
  const view = JSON.parse(formatValidation(config, new Redactor(config.secrets), true)) as { repositories: Record<string, { mode: string }> };
  assert.equal(view.repositories['a/web1']!.mode, 'restic (host/tags/paths filters need restic mode)');
  assert.equal(view.repositories.b!.mode, 'fast (local directory)');
});

test('rclone remote types and the rclone config path are not masked as secrets', () => {
  const config = parseConfig(
    'repositories:\n  a:\n    url: rclone:nas:backup\n    extra_env:\n      RCLONE_CONFIG_NAS_TYPE: local\n      RCLONE_CONFIG: /etc/rclone.conf\n      RCLONE_CONFIG_NAS_PASS: hunter2hunter2\n',
    {},
  );
  assert.deepEqual(config.secrets, ['hunter2hunter2']);
});
