import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inspect } from 'node:util';
import { passwordInUrl, Redactor, redactUrl, secretsFromEnv } from '../src/redact.js';

test('passwords inside URLs are masked, users and hosts kept', () => {
  assert.equal(redactUrl('rest:https://backup:hunter22@rest.example.com:8000/repo'), 'rest:https://backup:***@rest.example.com:8000/repo');
  assert.equal(redactUrl('see s3:https://k:s@h/b and http://u:p@x/'), 'see s3:https://k:***@h/b and http://u:***@x/');
  assert.equal(redactUrl('https://user@host/path'), 'https://user@host/path');
  assert.equal(passwordInUrl('rest:https://backup:p%40ss@h/'), 'p@ss');
  assert.equal(passwordInUrl('/srv/restic/repo'), undefined);
});

test('secrets are masked as written, JSON-escaped and URL-encoded; longest first', () => {
  const redactor = new Redactor(['s3cr3t"quote', 'abcd', 'abcdefgh', 'x']);
  assert.equal(redactor.redact('a s3cr3t"quote b'), 'a *** b');
  assert.equal(redactor.redact(JSON.stringify({ msg: 's3cr3t"quote' })), '{"msg":"***"}');
  assert.equal(redactor.redact('q=s3cr3t%22quote'), 'q=***');
  assert.equal(redactor.redact('abcdefgh abcd'), '*** ***');
  // Values shorter than 4 characters are not masked: "x" would garble every message.
  assert.equal(redactor.redact('x marks'), 'x marks');
});

test('credentials in the process environment are found by name, paths to them are not', () => {
  const found = secretsFromEnv({
    RESTIC_PASSWORD: 'pw-value',
    MINIO_SECRET_KEY: 'minio-secret',
    MINIO_ACCESS_KEY: 'minio-access',
    RCLONE_CONFIG_B2_KEY: 'rclone-b2-key',
    AZURE_ACCOUNT_SAS: 'sas-value',
    OS_PASSWORD: 'openstack-pw',
    RESTIC_PASSWORD_FILE: '/run/secrets/pw',
    AWS_PROFILE: 'monitoring',
    HOME: '/root',
    PATH: '/usr/bin',
  });
  assert.deepEqual(found.sort(), ['minio-access', 'minio-secret', 'openstack-pw', 'pw-value', 'rclone-b2-key', 'sas-value']);
});

test('a secret is masked in every escaped form an error can carry it in', () => {
  const secret = "Sekr3t\u0000t'a\"il é+&/";
  const redactor = new Redactor([secret]);
  const forms = [
    secret,
    JSON.stringify({ value: secret }), // a JSON log line or an SDK error
    `The property 'options.env['AWS_SECRET_ACCESS_KEY']' must be a string without null bytes. Received ${inspect(secret)}`, // Node's own error
    'restic: Fatal: "Sekr3t\\x00t\'a\\"il é+&/"', // Go's %q
    `path /${encodeURIComponent(secret)}/x`,
    `url https://h/${encodeURI(secret)}`,
    `query ?${new URLSearchParams({ key: secret })}`,
  ];
  for (const text of forms) {
    const masked = redactor.redact(text);
    assert.ok(masked.includes('***'), text);
    assert.ok(!/Sekr3t|t'a|il é/.test(masked), `${text} -> ${masked}`);
  }
  // Node's error for a NUL in the environment, as `status` showed it.
  assert.equal(new Redactor(['SECRET\0tail']).redact("internal error: ... Received 'SECRET\\x00tail'"), "internal error: ... Received '***'");
});

test("rclone connection strings: credentials are masked by their place, before any secret is known; url, host and flags are kept", () => {
  const cases: Array<[string, string]> = [
    ["rclone::webdav,url='http://dav:8080/',bearer_token=SECRET:repo", "rclone::webdav,url='http://dav:8080/',bearer_token=***:repo"],
    ['see "rclone:nas,pass=\'a,b:c\'\'d\',shared_with_me:restic" here', 'see "rclone:nas,pass=***,shared_with_me:restic" here'],
    ['rclone::s3,provider=Minio,env_auth=true,access_key_id=AK,secret_access_key="s,k":b/p', 'rclone::s3,provider=Minio,env_auth=true,access_key_id=***,secret_access_key=***:b/p'],
    ['rclone::sftp,host=h,port=2222,key_pem=x:p and rclone:nas:plain', 'rclone::sftp,host=h,port=2222,key_pem=***:p and rclone:nas:plain'],
    // One rclone would refuse (the quote is never closed): nothing after its first "=" is shown on that line.
    ["url: \"rclone::webdav,bearer_token='SECRET:repo\" is bad\nnext line", 'url: "rclone::webdav,bearer_token=***\nnext line'],
    ['rclone: Failed to create file system for "x:y": not found', 'rclone: Failed to create file system for "x:y": not found'],
  ];
  for (const [text, masked] of cases) assert.equal(redactUrl(text), masked, text);
});
