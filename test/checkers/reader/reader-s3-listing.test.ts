import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { CheckError } from '../../../src/checkers/checker.js';
import { BuiltinResticChecker } from '../../../src/checkers/reader/checker.js';
import { checkConfig } from '../../helpers/config.js';
import { startFaultyS3, type FaultyS3 } from '../../helpers/faulty-s3.js';

let s3: FaultyS3;
const checker = new BuiltinResticChecker();
before(async () => {
  s3 = await startFaultyS3();
});
after(async () => {
  await checker.close();
  await s3.close();
});

test('the built-in reader refuses a truncated S3 page without a continuation token, as fast mode does', async () => {
  const repository = checkConfig({
    url: `s3:${s3.endpoint}/truncated/repo`,
    reader: 'builtin',
    timeoutMs: 20_000,
    extraEnv: { AWS_ACCESS_KEY_ID: 'MONITOR', AWS_SECRET_ACCESS_KEY: 'monitor-secret', RESTIC_PASSWORD: 'reader-listing-test' },
  });
  const failure = await checker.check(repository, { signal: new AbortController().signal, env: {} }).then(
    () => assert.fail('expected the check to fail'),
    (error: unknown) => error,
  );
  assert.ok(failure instanceof CheckError, String(failure));
  assert.equal(failure.reason, 'incomplete listing: the S3 server said more objects follow but gave no continuation token');
});
