import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfig } from '../../src/config/parse.js';
import { derivePushToken } from '../../src/kuma/push-token.js';
import { configProblems } from '../helpers/config-problems.js';

const SECRET = 'an-HMAC-key-of-32-characters-xyz';
const REPOS = 'repositories:\n  web: {url: /srv/web}\n';

test('kuma: its url is the push_url of every check without one; token_secret derives the push tokens', () => {
  const config = parseConfig(
    `kuma:
  url: https://kuma.example.com/
  token_secret: \${KUMA_TOKEN_SECRET}
repositories:
  web: {url: /srv/web}
  own: {url: /srv/own, push_token: handMadeToken123}
  elsewhere: {url: /srv/x, push_url: https://other.example.com/api/push/, push_token: theirToken}
  fleet:
    url: /srv/fleet
    hosts: {web1: {}}
`,
    { KUMA_TOKEN_SECRET: SECRET },
  );
  const by = Object.fromEntries(config.checks.map((check) => [check.name, [check.pushUrl, check.pushToken]]));
  assert.deepEqual(by, {
    web: ['https://kuma.example.com/api/push/', derivePushToken(SECRET, 'web')],
    own: ['https://kuma.example.com/api/push/', 'handMadeToken123'],
    elsewhere: ['https://other.example.com/api/push/', 'theirToken'],
    'fleet/web1': ['https://kuma.example.com/api/push/', derivePushToken(SECRET, 'fleet/web1')],
  });
  assert.equal(config.kuma?.url, 'https://kuma.example.com');
  assert.equal(config.kuma?.tag, 'restic-monitor');
  assert.equal(config.kuma?.monitorName, '{{ .Name }}');
  assert.equal(config.kuma?.timeoutMs, 30_000);
  // The derived tokens and the key itself are masked wherever they could show.
  for (const secret of [SECRET, derivePushToken(SECRET, 'web'), derivePushToken(SECRET, 'fleet/web1')]) assert.ok(config.secrets.includes(secret));
});

test('kuma: without token_secret a check without push_token pushes nothing (as before)', () => {
  const config = parseConfig(`kuma: {url: https://kuma.example.com}\n${REPOS}`, {});
  assert.equal(config.checks[0]!.pushUrl, 'https://kuma.example.com/api/push/');
  assert.equal(config.checks[0]!.pushToken, undefined);
});

test('kuma: the login keys are only needed by kuma sync; a run goes on without the password in its environment', () => {
  const config = parseConfig(`kuma:\n  url: https://kuma.example.com\n  username: admin\n  password: \${KUMA_PASSWORD}\n${REPOS}`, {});
  assert.deepEqual(config.kuma?.loginProblems, ['kuma.password: environment variable KUMA_PASSWORD is not set']);
  const withIt = parseConfig(`kuma:\n  url: https://kuma.example.com\n  username: admin\n  password: \${KUMA_PASSWORD}\n${REPOS}`, { KUMA_PASSWORD: 'the-kuma-password' });
  assert.equal(withIt.kuma?.password, 'the-kuma-password');
  assert.ok(withIt.secrets.includes('the-kuma-password'));
});

test('kuma: each bad value is one message naming the key', () => {
  const cases: Array<[string, string[]]> = [
    ['kuma: https://kuma.example.com', ['kuma: expected a mapping, got a string']],
    ['kuma: {username: admin}', ['kuma.url: missing: where Uptime Kuma is, e.g. https://kuma.example.com']],
    ['kuma: {url: kuma.example.com}', ['kuma.url: "kuma.example.com" is not a URL (e.g. https://kuma.example.com)']],
    ['kuma: {url: "ftp://kuma.example.com"}', ['kuma.url: "ftp://kuma.example.com" is not an http(s) URL']],
    ['kuma: {url: "https://kuma.example.com/api/push/abc"}', ['kuma.url: is Kuma\'s base URL, not a push URL (drop "/api/push/abc")']],
    ['kuma: {url: "https://kuma.example.com/?x=1"}', ['kuma.url: is the base URL of Kuma, without a query or fragment']],
    ['kuma: {url: "https://k.example.com", pasword: x}', ['kuma: unknown key "pasword" (did you mean "password"?)']],
    ['kuma: {url: "https://k.example.com", token_secret: short}', ['kuma.token_secret: is 5 characters long: use at least 16 random ones (openssl rand -hex 32)']],
    ['kuma: {url: "https://k.example.com", totp_secret: "not base32!"}', ['kuma.totp_secret: is not base32 (letters A-Z and digits 2-7, as in the otpauth:// URI Kuma shows)']],
    ['kuma: {url: "https://k.example.com", run_interval: 12}', ['kuma.run_interval: expected a string, got a number (put it in quotes)']],
    ['kuma: {url: "https://k.example.com", run_interval: 30d}', ['kuma.run_interval: 30d is longer than Kuma can wait for a beat (24d)']],
    ['kuma: {url: "https://k.example.com", grace: soon}', ['kuma.grace: "soon" is not a duration (e.g. 1d, 6h, 30m, 1h30m)']],
    ['kuma: {url: "https://k.example.com", monitor_name: "{{ .Name"}', ['kuma.monitor_name: invalid template syntax at column 4: unexpected "."']],
    ['kuma: {url: "https://k.example.com", tag: " "}', ['kuma.tag: is empty: the tag is how sync tells its monitors from yours']],
    ['kuma: {url: "https://k.example.com", username: 5}', ['kuma.username: expected a string, got a number (put it in quotes)']],
  ];
  for (const [block, expected] of cases) {
    assert.deepEqual(configProblems(`${block}\n${REPOS}`), expected, block);
  }
});

test('validate shows what kuma sync would make of each check, offline: the monitor name and heartbeat interval, never the token', async () => {
  const { formatValidation } = await import('../../src/cli/format.js');
  const { Redactor } = await import('../../src/redact.js');
  const config = parseConfig(
    `kuma: {url: https://kuma.example.com, token_secret: "\${KUMA_TOKEN_SECRET}", monitor_name: "backup {{ .Name }}"}
repositories:
  web: {url: /srv/web}
  elsewhere: {url: /srv/x, push_url: https://other.example.com/api/push/, push_token: theirToken}
`,
    { KUMA_TOKEN_SECRET: SECRET },
  );
  const text = formatValidation(config, new Redactor(config.secrets), false, () => 637_000);
  assert.match(text, /^ {4}kuma:\n {6}monitor: backup web\n {6}heartbeat_interval: 1h16m37s$/m);
  assert.match(text, /^ {4}kuma:\n {6}no_monitor: pushes to another push_url \(https:\/\/other\.example\.com\/api\/push\/\)$/m);
  assert.match(text, /^ {2}token_secret: "\*\*\*"$/m);
  assert.equal(new Redactor(config.secrets).redact(text).includes(derivePushToken(SECRET, 'web')), false);
});
