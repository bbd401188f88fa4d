import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { CheckError } from '../../../src/checkers/checker.js';
import { S3Checker } from '../../../src/checkers/s3/checker.js';
import { checkConfig } from '../../helpers/config.js';
import { startFaultyS3, type FaultyS3 } from '../../helpers/faulty-s3.js';

let s3: FaultyS3;
const checker = new S3Checker();
before(async () => {
  s3 = await startFaultyS3();
});
after(async () => {
  await s3.close();
});

async function reason(bucket: string, timeoutMs = 20_000): Promise<string> {
  const repository = checkConfig({
    url: `s3:${s3.endpoint}/${bucket}/repo`,
    mode: 'fast',
    timeoutMs,
    extraEnv: { AWS_ACCESS_KEY_ID: 'MONITOR', AWS_SECRET_ACCESS_KEY: 'monitor-secret' },
  });
  try {
    await checker.check(repository, { signal: new AbortController().signal, env: {} });
  } catch (error) {
    assert.ok(error instanceof CheckError, String(error));
    return error.reason;
  }
  assert.fail('expected the check to fail');
}

test('S3 answering 500 and 503 SlowDown: retried by the SDK, then reported', async () => {
  const where = s3.endpoint.replace('http://', '');
  assert.equal(await reason('server-error'), `S3 error from ${where}: InternalError (HTTP 500)`);
  assert.equal(await reason('slow-down'), `${where} asked to slow down (HTTP 503 SlowDown), still after retries`);
  assert.equal(s3.hits.get('server-error'), 3);
  assert.equal(s3.hits.get('slow-down'), 3);
});

test('S3 answering 403 and a redirect to another region: reported at once', async () => {
  assert.equal(await reason('denied'), 'access denied to bucket "denied" (the key needs s3:ListBucket)');
  assert.equal(await reason('moved'), 'bucket "moved" lives in another region or endpoint (set region, or use the endpoint the provider names)');
});

test('a 200 that is not an S3 listing is a failure, not an empty repository', async () => {
  assert.equal(await reason('html'), `${s3.endpoint.replace('http://', '')} did not answer with an S3 listing (is it an S3 endpoint?)`);
});

test('a page marked truncated without a continuation token is an incomplete listing, not a partial answer', async () => {
  assert.equal(await reason('truncated'), 'incomplete listing: the S3 server said more objects follow but gave no continuation token');
  assert.equal(s3.hits.get('truncated'), 1);
});

test('a response that trickles forever is cut off at the timeout', async () => {
  assert.equal(await reason('trickle', 2000), 'timed out after 2s');
});
