// Which values parsing keeps as secrets, which it refuses, and what it warns about.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfig } from '../../src/config/parse.js';
import { redactorFor } from '../../src/redact.js';
import { configProblems } from '../helpers/config-problems.js';

test('a value no environment can carry (a NUL) is refused with the key, never the value', () => {
  const table: Array<[string, string[], Record<string, string>?]> = [
    [
      'repositories:\n  db:\n    url: /x\n    extra_env: {AWS_SECRET_ACCESS_KEY: "SECRET\\0tail"}\n',
      ['repositories.db.extra_env.AWS_SECRET_ACCESS_KEY: holds a NUL character (\\0), which no environment variable or command-line argument can carry'],
    ],
    [
      'defaults:\n  extra_env: {RESTIC_PASSWORD: "${PW}"}\nrepositories:\n  db: {url: /x}\n',
      ['defaults.extra_env.RESTIC_PASSWORD: holds a NUL character (\\0), which no environment variable or command-line argument can carry'],
      { PW: 'pass\0word' },
    ],
    ['repositories:\n  db: {url: "/srv/x\\0y"}\n', ['repositories.db.url: holds a NUL character (\\0), which no environment variable or command-line argument can carry']],
    ['repositories:\n  db: {url: /x, host: "web\\0"}\n', ['repositories.db.host: holds a NUL character (\\0), which no environment variable or command-line argument can carry']],
    [
      'repositories:\n  db: {url: /x, extra_env: {"A=B": x, "": y}}\n',
      [
        'repositories.db.extra_env: "A=B" is not an environment variable name (it cannot be empty or hold "=" or a NUL)',
        'repositories.db.extra_env: "" is not an environment variable name (it cannot be empty or hold "=" or a NUL)',
      ],
    ],
  ];
  for (const [text, expected, env] of table) {
    const problems = configProblems(text, env);
    assert.deepEqual(problems, expected, text);
    assert.ok(!/tail|pass\0|\0/.test(problems.join('\n')), 'no value in the message');
  }
});

test('${VAR} in a plain key, or naming a plain variable, is shown; inside a secret key it stays masked', () => {
  const config = parseConfig(
    `defaults:
  url: /srv/{{ .Name }}
repositories:
  db:
    extra_env:
      RESTIC_PASSWORD_FILE: "\${CREDENTIALS_DIRECTORY}/nothere"
      RESTIC_CACHE_DIR: "\${CACHE_BASE}/restic"
      AWS_SECRET_ACCESS_KEY: "\${S3_SECRET}"
      RCLONE_CONFIG_NAS_PASS: "x-\${NAS_PASS}"
    cache_dir: "\${CREDENTIALS_DIRECTORY}/cache"
    host: "\${BACKUP_HOST}"
`,
    { CREDENTIALS_DIRECTORY: '/run/credentials/rm.service', CACHE_BASE: '/var/cache/monitor', S3_SECRET: 's3-secret-value', NAS_PASS: 'nas-pass-value', BACKUP_HOST: 'host-from-env' },
  );
  const redactor = redactorFor({}, config.secrets);
  assert.equal(redactor.redact('password file /run/credentials/rm.service/nothere does not exist'), 'password file /run/credentials/rm.service/nothere does not exist');
  assert.equal(redactor.redact('cache /var/cache/monitor/restic'), 'cache /var/cache/monitor/restic');
  assert.equal(redactor.redact('s3-secret-value nas-pass-value x-nas-pass-value host-from-env'), '*** *** *** ***');
});

test("a ping_url's query values are secrets, as its path is", () => {
  const config = parseConfig('repositories:\n  db: {url: /x, ping_url: "https://ping.example.com/p/slug?key=QueryKey123&rid=run%2F42&x="}\n', {});
  const redactor = redactorFor({}, config.secrets);
  assert.equal(redactor.redact(config.checks[0]!.pingUrl!), 'https://ping.example.com/***?key=***&rid=***&x=');
});

test("an rclone connection string's credentials are secrets, its url, host and flags are not", () => {
  const url = "rclone::webdav,url='http://dav.example.com:8080/',user=backup,bearer_token=SECRETbearer,pass=\"obscured\"\"pw\":restic/nas";
  const config = parseConfig(`repositories:\n  nas: {url: ${JSON.stringify(url)}, mode: fast}\n`, {});
  assert.deepEqual(config.secrets.sort(), ['SECRETbearer', 'obscured"pw']);
  assert.equal(redactorFor({}, config.secrets).redact(url), "rclone::webdav,url='http://dav.example.com:8080/',user=backup,bearer_token=***,pass=***:restic/nas");
});

test('validate warns of a push_timeout that Kuma may outlast (a busy database answers after 5 s), once where it is set', () => {
  const warned = parseConfig(
    `defaults:
  push_url: http://kuma.example.com/api/push/
  push_timeout: 2s
repositories:
  a: {url: /a, push_token: tok-a}
  b: {url: /b, push_token: tok-b}
  c: {url: /c, push_token: tok-c, push_timeout: 5500ms}
  no-token: {url: /d, ping_url: "https://hc.example.com/x"}
`,
    {},
  );
  assert.deepEqual(warned.warnings, [
    'defaults.push_timeout: 2s is shorter than Uptime Kuma may take to answer (up to 5s while its database is busy): a push it answers late is retried and stored twice; use 6s or more',
    'repositories.c.push_timeout: 5500ms is shorter than Uptime Kuma may take to answer (up to 5s while its database is busy): a push it answers late is retried and stored twice; use 6s or more',
  ]);
  const quiet = parseConfig('defaults:\n  push_url: http://kuma.example.com/api/push/\nrepositories:\n  a: {url: /a, push_token: tok-a}\n  b: {url: /b, push_token: tok-b, push_timeout: 6s}\n', {});
  assert.equal(quiet.warnings, undefined, 'the default (10s) and 6s draw none');
});
