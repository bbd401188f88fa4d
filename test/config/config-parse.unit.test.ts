import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfig } from '../../src/config/parse.js';
import { ORIGINAL_CONFIG } from '../helpers/original-config.js';
import { configProblems } from '../helpers/config-problems.js';


const H = 3_600_000;

const problems = configProblems;

test('the original config is accepted unchanged and expands per repository', () => {
  const config = parseConfig(ORIGINAL_CONFIG, {}, { defaultConcurrency: 3 });
  assert.equal(config.concurrency, 3);
  const [web, db] = config.checks;
  assert.equal(web!.name, 'web-server');
  assert.equal(web!.url, 's3:https://s3.example.com/restic-web-server');
  assert.equal(web!.maxAgeMs, 24 * H);
  assert.equal(web!.pushUrl, 'https://uptime-kuma.example.com/api/push/');
  assert.equal(web!.pushToken, 'yDaQM5YUuS3rczSvLsOucs4LqHSRDhu6');
  assert.deepEqual(web!.extraEnv, { AWS_ACCESS_KEY_ID: 'your-key-id', AWS_SECRET_ACCESS_KEY: 'your-secret' });
  assert.equal(web!.mode, 'restic');
  assert.equal(web!.timeoutMs, 10 * 60_000);
  assert.equal(db!.url, 's3:https://s3.example.com/restic-db-server');
  assert.equal(db!.maxAgeMs, 6 * H);
  for (const secret of ['yDaQM5YUuS3rczSvLsOucs4LqHSRDhu6', 'ap2F52Qjmup9dxyPcWa1eNt125AukcrV', 'your-key-id', 'your-secret']) {
    assert.ok(config.secrets.includes(secret), secret);
  }
});

test('extra_env merges key by key; the repository wins', () => {
  const config = parseConfig(
    `defaults:
  url: /srv/{{ .Name }}
  extra_env: {A: from-defaults, B: from-defaults}
repositories:
  one:
    extra_env: {B: own, C: "{{ .Name }}-c"}
`,
    {},
  );
  assert.deepEqual(config.checks[0]!.extraEnv, { A: 'from-defaults', B: 'own', C: 'one-c' });
});

test('a repository with nothing under it inherits every default', () => {
  const config = parseConfig('defaults: {url: "/srv/{{ Name }}", max_age: 2h}\nrepositories:\n  bare:\n', {});
  assert.equal(config.checks[0]!.url, '/srv/bare');
  assert.equal(config.checks[0]!.maxAgeMs, 2 * H);
});

test('${VAR} comes from the environment, after templates; $${ is a literal', () => {
  const config = parseConfig(
    `repositories:
  web:
    url: "rest:https://u:\${REST_PASS}@h/{{ .Name }}"
    push_url: http://kuma/api/push/
    push_token: "\${TOKEN_WEB}"
    extra_env: {LITERAL: "$\${NOT_A_VAR}"}
`,
    { REST_PASS: 'hunter2-pass', TOKEN_WEB: 'tok-web-123' },
  );
  const web = config.checks[0]!;
  assert.equal(web.url, 'rest:https://u:hunter2-pass@h/web');
  assert.equal(web.pushToken, 'tok-web-123');
  assert.equal(web.extraEnv.LITERAL, '${NOT_A_VAR}');
  assert.ok(config.secrets.includes('hunter2-pass'));
  assert.ok(config.secrets.includes('tok-web-123'));
});

test('the reader is auto unless RESTIC_MONITOR_READER or the config names one; the config wins', () => {
  const text = 'defaults:\n  url: /r\nrepositories:\n  a: {}\n  b: {reader: builtin}\n';
  assert.deepEqual(parseConfig(text, {}).checks.map((r) => r.reader), ['auto', 'builtin']);
  assert.deepEqual(parseConfig(text, { RESTIC_MONITOR_READER: 'restic' }).checks.map((r) => r.reader), ['restic', 'builtin']);
  assert.deepEqual(parseConfig(text, { RESTIC_MONITOR_READER: '' }).checks.map((r) => r.reader), ['auto', 'builtin']);
  assert.deepEqual(problems(text, { RESTIC_MONITOR_READER: 'binary' }), ['RESTIC_MONITOR_READER: "binary" is not one of auto, builtin, restic']);
});

test('RESTIC_MONITOR_FAST=true makes fast the default mode; an explicit mode wins', () => {
  const text = 'repositories:\n  a: {url: /a}\n  b: {url: /b, mode: restic}\n';
  const config = parseConfig(text, { RESTIC_MONITOR_FAST: 'true' });
  assert.deepEqual(config.checks.map((r) => r.mode), ['fast', 'restic']);
  assert.deepEqual(problems(text, { RESTIC_MONITOR_FAST: 'maybe' }), ['RESTIC_MONITOR_FAST: "maybe" is not true or false']);
});

test('every bad value is reported with its key path', () => {
  const table: Array<[string, string[], Record<string, string>?]> = [
    ['', ['the config is empty: it needs a "repositories" mapping']],
    ['# only a comment\n', ['the config is empty: it needs a "repositories" mapping']],
    ['- a\n- b\n', ['the config must be a mapping with "repositories", got a list']],
    ['just text', ['the config must be a mapping with "repositories", got a string']],
    ['defaults: {url: /x}\n', ['repositories: missing: the config needs at least one repository']],
    ['repositories: {}\n', ['repositories: empty: the config needs at least one repository']],
    ['repositories: [a, b]\n', ['repositories: expected a mapping, got a list']],
    ['repositories:\n  db: just-a-string\n', ['repositories.db: expected a mapping, got a string']],
    ['repositories:\n  db: {url: /x, max_age: 6x}\n', ['repositories.db.max_age: "6x" is not a duration (e.g. 1d, 6h, 30m, 1h30m)']],
    ['repositories:\n  db: {url: /x, max_age: 0s}\n', ['repositories.db.max_age: "0s" must be more than zero']],
    ['repositories:\n  db: {url: /x, max_age: -1h}\n', ['repositories.db.max_age: "-1h" must be more than zero']],
    ['repositories:\n  db: {url: /x, max_age: 1M}\n', ['repositories.db.max_age: "1M" is not a duration: units are ns, us, ms, s, m, h, d, w, in lower case']],
    ['repositories:\n  db: {url: /x, max_age: 2 days}\n', ['repositories.db.max_age: "2 days" is not a duration (e.g. 1d, 6h, 30m, 1h30m)']],
    ['repositories:\n  db: {url: /x, max_age: "60"}\n', ['repositories.db.max_age: "60" is not a duration: it has no unit (e.g. 60s or 60m)']],
    ['repositories:\n  db: {url: /x, push_timeout: 0.0001ms}\n', ['repositories.db.push_timeout: "0.0001ms" must be at least 1ms']],
    ['repositories:\n  db: {url: /x, timeout: 25d}\n', ['repositories.db.timeout: "25d" is too long: at most 24d20h31m23s (the longest a timer can wait)']],
    ['repositories:\n  db: {url: /x, push_timeout: 4w}\n', ['repositories.db.push_timeout: "4w" is too long: at most 24d20h31m23s (the longest a timer can wait)']],
    ['repositories:\n  db: {url: /x, max_age: 3600}\n', ['repositories.db.max_age: expected a string, got a number (put it in quotes)']],
    ['repositories:\n  db: {url: /x, maxage: 1d}\n', ['repositories.db: unknown key "maxage" (did you mean "max_age"?)']],
    ['repositories:\n  db: {url: /x, push_tokn: abc}\n', ['repositories.db: unknown key "push_tokn" (did you mean "push_token"?)']],
    ['defaults: {urll: /x}\nrepositories:\n  db: {url: /x}\n', ['defaults: unknown key "urll" (did you mean "url"?)']],
    ['repository:\n  db: {url: /x}\n', ['unknown top-level key "repository" (did you mean "repositories"?)', 'repositories: missing: the config needs at least one repository']],
    ['repositories:\n  db: {max_age: 1d}\n', ['repositories.db.url: missing (set it here or in defaults)']],
    ['repositories:\n  db: {url: ""}\n', ['repositories.db.url: is empty']],
    ['repositories:\n  db: {url: [a]}\n', ['repositories.db.url: expected a string, got a list']],
    ['repositories:\n  db: {url: /x, extra_env: [A=1]}\n', ['repositories.db.extra_env: expected a mapping, got a list']],
    ['repositories:\n  db: {url: /x, extra_env: {PORT: 5}}\n', ['repositories.db.extra_env.PORT: expected a string, got a number (put it in quotes)']],
    ['repositories:\n  db: {url: "/x/{{ .Host }}"}\n', ['repositories.db.url: unknown template variable "Host" (known: .Name)']],
    ['repositories:\n  db: {url: "/x/{{ .Name"}\n', ['repositories.db.url: invalid template syntax at column 7: unexpected "."']],
    ['repositories:\n  db: {url: "/x/{{ constructor }}"}\n', ['repositories.db.url: unknown template variable "constructor" (known: .Name)']],
    [
      'repositories:\n  db: {url: "/x/{{ if .Name }}{{ .Name }}{{ end }}"}\n',
      ['repositories.db.url: unsupported template "{{ if .Name }}": only variables are ({{ .Name }} or {{ Name }}) supported, not conditions, loops, pipelines or functions'],
    ],
    [
      'repositories:\n  db: {url: "/x/{{ .Name | printf \\"%s\\" }}"}\n',
      ['repositories.db.url: unsupported template "{{ .Name | printf "%s" }}": only variables are ({{ .Name }} or {{ Name }}) supported, not conditions, loops, pipelines or functions'],
    ],
    ['repositories:\n  db: {url: "/x/${NOPE_VAR}"}\n', ['repositories.db.url: environment variable NOPE_VAR is not set']],
    ['repositories:\n  db: {url: "/x/${1BAD}"}\n', ['repositories.db.url: "${1BAD}" is not a valid environment variable reference']],
    ['repositories:\n  db: {url: /x, push_url: "ftp://kuma/", push_token: abc}\n', ['repositories.db.push_url: "ftp://kuma/" is not an http(s) URL']],
    ['repositories:\n  db: {url: /x, push_url: "kuma.example.com/api/push/"}\n', ['repositories.db.push_url: "kuma.example.com/api/push/" is not an http(s) URL']],
    ['repositories:\n  db: {url: /x, push_url: "http://k/", push_token: "a/b?c"}\n', ['repositories.db.push_token: has characters that do not belong in a URL (allowed: letters, digits, . _ ~ -)']],
    ['repositories:\n  db: {url: /x, push_token: abc}\n', ['repositories.db.push_token: set, but push_url is not']],
    ['repositories:\n  db: {url: /x, mode: quick}\n', ['repositories.db.mode: "quick" is not one of restic, fast, auto']],
    ['repositories:\n  db: {url: /x, timeout: never}\n', ['repositories.db.timeout: "never" is not a duration (e.g. 1d, 6h, 30m, 1h30m)']],
    ['concurrency: 0\nrepositories:\n  db: {url: /x}\n', ['concurrency: 0 is out of range (1 to 1024)']],
    ['concurrency: two\nrepositories:\n  db: {url: /x}\n', ['concurrency: expected a whole number, got a string']],
  ];
  for (const [text, expected, env] of table) assert.deepEqual(problems(text, env), expected, text);
});

test('durations: the documented forms, compounds, and long values where no timer holds them', () => {
  const config = parseConfig(
    'defaults: {url: /x}\nrepositories:\n  a: {max_age: 1h30m, timeout: 36h, push_timeout: 30m}\n  b: {max_age: 1d12h, interval: 1w}\n  c: {max_age: 8w, interval: 4w, timeout: 24d20h31m23s}\n',
    {},
  );
  assert.deepEqual(
    config.checks.map((r) => [r.name, r.maxAgeMs / H, r.timeoutMs / H, r.pushTimeoutMs / 60_000, r.intervalMs / H]),
    [
      ['a', 1.5, 36, 30, 1],
      ['b', 36, 1 / 6, 1 / 6, 168],
      // max_age is compared, never waited for; interval is waited out in steps by the scheduler.
      ['c', 8 * 168, (2 ** 31 - 1 - 647) / H, 1 / 6, 4 * 168],
    ],
  );
});

test('a bad value inherited from defaults is reported once, at defaults', () => {
  assert.deepEqual(problems('defaults: {url: /x, max_age: 1x}\nrepositories:\n  a: {}\n  b: {}\n'), [
    'defaults.max_age: "1x" is not a duration (e.g. 1d, 6h, 30m, 1h30m)',
  ]);
});

test('duplicate keys and broken YAML are reported with their position', () => {
  assert.deepEqual(problems('repositories:\n  db: {url: /x}\n  db: {url: /y}\n'), ['not valid YAML: Map keys must be unique at line 3, column 3']);
  assert.deepEqual(problems('repositories:\n  db: {url: /x\n'), [
    'not valid YAML: Flow map in block collection must be sufficiently indented and end with a } at line 3, column 1',
  ]);
});

test('a password inside a push_url error is masked', () => {
  assert.deepEqual(problems('repositories:\n  db: {url: /x, push_url: "ftp://user:s3cr3t-pw@kuma/"}\n'), [
    'repositories.db.push_url: "ftp://user:***@kuma/" is not an http(s) URL',
  ]);
});

test("push_url may be Kuma's whole push URL: the token is taken from it, the query dropped", () => {
  const config = parseConfig(
    `defaults: {url: /x}
repositories:
  pasted: {push_url: "https://kuma.example.com/api/push/pastedTok3n?status=up&msg=OK&ping="}
  proxied: {push_url: "https://example.com/kuma/api/push/proxiedTok3n/"}
  base: {push_url: "https://kuma.example.com/api/push/", push_token: baseTok3n}
  bare: {push_url: "https://kuma.example.com/api/push"}
  templated: {push_url: "https://kuma.example.com/api/push/tok-{{ .Name }}"}
`,
    {},
  );
  assert.deepEqual(
    config.checks.map((r) => [r.name, r.pushUrl, r.pushToken]),
    [
      ['pasted', 'https://kuma.example.com/api/push/', 'pastedTok3n'],
      ['proxied', 'https://example.com/kuma/api/push/', 'proxiedTok3n'],
      ['base', 'https://kuma.example.com/api/push/', 'baseTok3n'],
      ['bare', 'https://kuma.example.com/api/push', undefined],
      ['templated', 'https://kuma.example.com/api/push/', 'tok-templated'],
    ],
  );
  for (const token of ['pastedTok3n', 'proxiedTok3n', 'tok-templated']) assert.ok(config.secrets.includes(token), token);
});

test('a push_url that holds a token and a push_token too is an error naming both; a token in a bad URL is masked', () => {
  assert.deepEqual(problems('repositories:\n  db: {url: /x, push_url: "https://kuma/api/push/urlTok3n?status=up", push_token: ownTok3n}\n'), [
    'repositories.db.push_url: holds a push token (after /api/push/) and repositories.db.push_token is set too: keep only one',
  ]);
  assert.deepEqual(problems('defaults: {url: /x, push_url: "https://kuma/api/push/urlTok3n"}\nrepositories:\n  db: {push_token: ownTok3n}\n'), [
    'defaults.push_url: holds a push token (after /api/push/) and repositories.db.push_token is set too: keep only one',
  ]);
  assert.deepEqual(problems('repositories:\n  db: {url: /x, push_url: "https://kuma/api/push/a%20b"}\n'), [
    'repositories.db.push_url: its push token has characters that do not belong in a URL (allowed: letters, digits, . _ ~ -)',
  ]);
  assert.deepEqual(problems('repositories:\n  db: {url: /x, push_url: "ftp://kuma/api/push/secretTok3n?status=up"}\n'), [
    'repositories.db.push_url: "ftp://kuma/api/push/***?status=up" is not an http(s) URL',
  ]);
});

test('YAML merge keys work, and top-level x- keys may hold the anchors', () => {
  const config = parseConfig(
    `x-common: &common
  url: "/srv/{{ .Name }}"
  max_age: 6h
  extra_env: {RESTIC_PASSWORD_FILE: /run/pw}
x-daily: &daily {max_age: 1d}
repositories:
  web:
    <<: *common
    max_age: 2h
  db:
    <<: [*daily, *common]
  mail: {<<: *common}
`,
    {},
  );
  assert.deepEqual(
    config.checks.map((r) => [r.name, r.url, r.maxAgeMs / H, r.extraEnv.RESTIC_PASSWORD_FILE]),
    [
      ['web', '/srv/web', 2, '/run/pw'],
      // The first source in a merge list wins, as YAML 1.1 defines.
      ['db', '/srv/db', 24, '/run/pw'],
      ['mail', '/srv/mail', 6, '/run/pw'],
    ],
  );
  assert.deepEqual(problems('common: &c {url: /x}\nrepositories:\n  a: {<<: *c}\n'), ['unknown top-level key "common" (a key that only holds anchors must start with "x-")']);
  assert.deepEqual(problems('x-c: &c [a]\nrepositories:\n  a: {<<: *c}\n'), ['not valid YAML: Merge sources must be maps or map aliases']);
});
