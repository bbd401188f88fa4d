import assert from 'node:assert/strict';
import { test } from 'node:test';
import { S3Checker } from '../../src/checkers/s3/checker.js';
import { credentialSource } from '../../src/checkers/s3/credentials.js';
import { parseS3Url, snapshotsPrefix, type S3UrlResult } from '../../src/urls/s3.js';
import { ConfigError } from '../../src/config/errors.js';
import { parseConfig } from '../../src/config/parse.js';

const EXPECTED = '(expected s3:https://HOST/BUCKET/PREFIX or s3:HOST/BUCKET/PREFIX)';
const path = (endpoint: string, bucket: string, prefix = '', useTls = true): S3UrlResult => ({ endpoint, bucket, prefix, useTls, pathStyle: true });
const vhost = (endpoint: string, bucket: string, prefix: string, region?: string): S3UrlResult => ({
  endpoint,
  bucket,
  prefix,
  useTls: true,
  ...(region && { region }),
  pathStyle: false,
});

// Every form restic 0.14 accepts, as its s3/config.go reads it.
const TABLE: Array<[string, S3UrlResult]> = [
  ['s3:https://s3.example.com/bucket/prefix', path('s3.example.com', 'bucket', 'prefix')],
  ['s3:http://s3.example.com/bucket/prefix', path('s3.example.com', 'bucket', 'prefix', false)],
  ['s3:HTTPS://s3.example.com/bucket', path('s3.example.com', 'bucket')],
  ['s3:https://s3.example.com/bucket', path('s3.example.com', 'bucket')],
  ['s3:https://s3.example.com/bucket/', path('s3.example.com', 'bucket')],
  ['s3:https://s3.example.com:9000/bucket/a/b/c', path('s3.example.com:9000', 'bucket', 'a/b/c')],
  ['s3:http://127.0.0.1:9000/bucket/restic/host-1/', path('127.0.0.1:9000', 'bucket', 'restic/host-1', false)],
  ['s3:http://10.0.0.5/bucket', path('10.0.0.5', 'bucket', '', false)],
  ['s3:http://[::1]:9000/bucket/p', path('[::1]:9000', 'bucket', 'p', false)],
  ['s3:https://s3.example.com/bucket/a//', path('s3.example.com', 'bucket', 'a')],
  ['s3:https://s3.example.com/bucket/a//b/./c/', path('s3.example.com', 'bucket', 'a/b/c')],
  ['s3:https://s3.example.com/bucket/a/../b', path('s3.example.com', 'bucket', 'b')],
  ['s3:https://s3.example.com/bucket/my%20backups', path('s3.example.com', 'bucket', 'my backups')],
  ['s3:https://user:secret@s3.example.com/bucket/p', path('s3.example.com', 'bucket', 'p')],
  ['s3:https://s3.example.com/bucket/p?x=1', path('s3.example.com', 'bucket', 'p')],
  ['s3:s3.example.com/bucket/prefix', path('s3.example.com', 'bucket', 'prefix')],
  ['s3:s3.example.com/bucket', path('s3.example.com', 'bucket')],
  ['s3:s3.example.com/bucket/', path('s3.example.com', 'bucket')],
  ['s3:s3.example.com:9000/bucket/a/b/', path('s3.example.com:9000', 'bucket', 'a/b')],
  ['s3:192.168.1.10:9000/bucket/a', path('192.168.1.10:9000', 'bucket', 'a')],
  ['s3://s3.example.com/bucket/prefix', path('s3.example.com', 'bucket', 'prefix')],
  ['s3://s3.example.com/bucket/a/b//c//', path('s3.example.com', 'bucket', 'a/b/c')],
  ['s3:s3.example.com/bucket/my%20backups', path('s3.example.com', 'bucket', 'my%20backups')],
  // Amazon: virtual-host style, region read from the host name when it names one.
  ['s3:s3.amazonaws.com/bucket/prefix', vhost('s3.amazonaws.com', 'bucket', 'prefix')],
  ['s3:https://s3.eu-central-1.amazonaws.com/bucket', vhost('s3.eu-central-1.amazonaws.com', 'bucket', '', 'eu-central-1')],
  ['s3:s3-us-west-2.amazonaws.com/bucket/x', vhost('s3-us-west-2.amazonaws.com', 'bucket', 'x', 'us-west-2')],
  ['s3:s3.dualstack.ap-southeast-1.amazonaws.com/b', vhost('s3.dualstack.ap-southeast-1.amazonaws.com', 'b', '', 'ap-southeast-1')],
  ['s3:s3-fips.us-gov-west-1.amazonaws.com/b', vhost('s3-fips.us-gov-west-1.amazonaws.com', 'b', '', 'us-gov-west-1')],
  ['s3:s3.cn-north-1.amazonaws.com.cn/b', vhost('s3.cn-north-1.amazonaws.com.cn', 'b', '', 'cn-north-1')],
  ['s3:storage.googleapis.com/b/p', vhost('storage.googleapis.com', 'b', 'p')],
  // A dotted bucket over https cannot be a host name (the certificate would not match).
  ['s3:s3.amazonaws.com/my.bucket', { ...path('s3.amazonaws.com', 'my.bucket'), pathStyle: true }],
  // Everyone else is path style.
  ['s3:https://s3.eu-central-003.backblazeb2.com/b', path('s3.eu-central-003.backblazeb2.com', 'b')],
  ['s3:https://s3.wasabisys.com/b', path('s3.wasabisys.com', 'b')],
  ['s3:https://acct.r2.cloudflarestorage.com/b', path('acct.r2.cloudflarestorage.com', 'b')],
  // Errors.
  ['s3:', { error: `has no host ${EXPECTED}` }],
  ['s3://', { error: `has no host ${EXPECTED}` }],
  ['s3:s3.example.com', { error: `has no bucket ${EXPECTED}` }],
  ['s3:s3.example.com/', { error: `has no bucket ${EXPECTED}` }],
  ['s3:https://s3.example.com', { error: `has no bucket ${EXPECTED}` }],
  ['s3:https://s3.example.com/', { error: `has no bucket ${EXPECTED}` }],
  ['s3:https:///bucket', { error: `has no host ${EXPECTED}` }],
  ['s3:https://s3.example.com:port/bucket', { error: 'has an invalid host or port "s3.example.com:port"' }],
  ['s3:https://s3.example.com/bucket/%zz', { error: 'is not a valid URL (bad %-escape in its path)' }],
  ['rest:http://host/', { error: `not an s3 URL ${EXPECTED}` }],
];

test('every s3 URL form parses as restic parses it', () => {
  for (const [url, expected] of TABLE) assert.deepEqual(parseS3Url(url), expected, url);
});

test('snapshot objects live under <prefix>/snapshots/, or snapshots/ at the bucket root', () => {
  assert.equal(snapshotsPrefix({ prefix: '' }), 'snapshots/');
  assert.equal(snapshotsPrefix({ prefix: 'a/b' }), 'a/b/snapshots/');
});

test('an s3 URL without a bucket is a config error naming the repository, with the password masked', () => {
  const yaml = `repositories:\n  web:\n    url: "s3:https://key:hunter22@s3.example.com/"\n  db:\n    url: "s3:"\n  ok:\n    url: s3:s3.example.com/bucket\n`;
  assert.throws(
    () => parseConfig(yaml, {}),
    (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.deepEqual(error.problems, [
        `repositories.web.url: "s3:https://key:***@s3.example.com/" has no bucket ${EXPECTED}`,
        `repositories.db.url: "s3:" has no host ${EXPECTED}`,
      ]);
      return true;
    },
  );
});

test('credentials: extra_env first, then the environment, then the SDK default chain', () => {
  const pair = (id: string) => ({ AWS_ACCESS_KEY_ID: id, AWS_SECRET_ACCESS_KEY: `${id}-secret` });
  assert.deepEqual(credentialSource(pair('own'), pair('env')), { kind: 'static', accessKeyId: 'own', secretAccessKey: 'own-secret', from: 'extra_env' });
  assert.deepEqual(credentialSource({ AWS_PROFILE: 'monitor' }, pair('env')), { kind: 'profile', profile: 'monitor' });
  assert.deepEqual(credentialSource({}, { ...pair('env'), AWS_SESSION_TOKEN: 'tok' }), {
    kind: 'static',
    accessKeyId: 'env',
    secretAccessKey: 'env-secret',
    sessionToken: 'tok',
    from: 'environment',
  });
  assert.deepEqual(credentialSource({ AWS_SHARED_CREDENTIALS_FILE: '/run/creds' }, { AWS_PROFILE: 'p' }), { kind: 'profile', profile: 'p', filepath: '/run/creds' });
  assert.deepEqual(credentialSource({ MINIO_ACCESS_KEY: 'm', MINIO_SECRET_KEY: 's' }, {}), { kind: 'static', accessKeyId: 'm', secretAccessKey: 's', from: 'extra_env' });
  assert.deepEqual(credentialSource({ AWS_ACCESS_KEY_ID: 'half' }, {}), { kind: 'default' });
});

test('fast mode serves s3 URLs without restic filters; everything else is left to restic', () => {
  const config = parseConfig(
    `defaults:\n  mode: fast\nrepositories:\n  s3: { url: "s3:s3.example.com/b/p" }\n  filtered: { url: "s3:s3.example.com/b/p", host: web }\n  tagged: { url: "s3:s3.example.com/b/p", tags: [daily] }\n  local: { url: /srv/restic }\n  rest: { url: "rest:http://127.0.0.1:8000/" }\n`,
    {},
  );
  const checker = new S3Checker();
  assert.deepEqual(
    config.checks.map((repository) => [repository.name, checker.supports(repository)]),
    [['s3', true], ['filtered', false], ['tagged', false], ['local', false], ['rest', false]],
  );
});
