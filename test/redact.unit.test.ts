import assert from 'node:assert/strict';
import { test } from 'node:test';
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
