import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { runCli } from '../../helpers/cli.js';
import { startRecordingProxy, type RecordingProxy } from '../../helpers/recording-proxy.js';
import { tempDir } from '../../helpers/restic-repos.js';
import { startS3rver, type S3rver } from '../../helpers/s3rver.js';
import type { CheckResultJson } from '../../../src/run/result-json.js';

const S3_KEY = 'FASTS3KEY';
const RCLONE_KEY = 'RCLONEKEY';
const YEARS_AGO = new Date('2020-01-01T00:00:00Z');
const id = (seed: string) => createHash('sha256').update(seed).digest('hex');

let s3: S3rver;
let proxy: RecordingProxy;
let dir: string;

before(async () => {
  s3 = await startS3rver({ keyIds: [S3_KEY, RCLONE_KEY] });
  proxy = await startRecordingProxy(s3.endpoint);
  dir = await tempDir('rm-rclone-s3-');
  const client = new S3Client({ endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
  // As `rclone sync` leaves a bucket: each object carries its source file's mtime as metadata.
  // "copied" was uploaded just now from years-old files; "stopped" was uploaded years ago
  // (LastModified set below) from files whose mtime says now.
  const put = (key: string, mtime: Date) =>
    client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: key, Body: 'x', Metadata: { mtime: String(mtime.getTime() / 1000) } }));
  await Promise.all([
    put(`copied/snapshots/${id('c1')}`, YEARS_AGO),
    put(`copied/snapshots/${id('c2')}`, YEARS_AGO),
    put(`copied/snapshots/x/${id('deep')}`, new Date()),
    put(`stopped/snapshots/${id('s1')}`, new Date()),
  ]);
  client.destroy();
  await s3.setMtime('stopped', YEARS_AGO);
});
after(async () => {
  await proxy?.close();
  await s3?.close();
});

/** The same prefix as an s3: repository and as an rclone: remote of type s3 (from env). */
const both = (prefix: string) => `
  ${prefix}-as-s3:
    url: s3:http://${proxy.host}/${s3.bucket}/${prefix}
    extra_env: {AWS_ACCESS_KEY_ID: ${S3_KEY}, AWS_SECRET_ACCESS_KEY: unchecked}
  ${prefix}-as-rclone:
    url: rclone:bucket:${s3.bucket}/${prefix}
    extra_env:
      RCLONE_CONFIG: /dev/null
      RCLONE_CONFIG_BUCKET_TYPE: s3
      RCLONE_CONFIG_BUCKET_PROVIDER: Other
      RCLONE_CONFIG_BUCKET_ENDPOINT: http://${proxy.host}
      RCLONE_CONFIG_BUCKET_ACCESS_KEY_ID: ${RCLONE_KEY}
      RCLONE_CONFIG_BUCKET_SECRET_ACCESS_KEY: unchecked`;

test('one bucket read as s3: and as rclone: gives the same answer, from the same server times, with one request each', async () => {
  const path = join(dir, 'config.yaml');
  await writeFile(path, `defaults:\n  mode: fast\n  max_age: 1d\nrepositories:${both('copied')}${both('stopped')}\n`);
  const seen = proxy.requests.length;
  // This machine's AWS_CA_BUNDLE makes rclone 1.60's S3 backend fail outright (docs/fast-mode.md).
  const result = await runCli(['status', '--json', '-c', path], { env: { AWS_CA_BUNDLE: undefined } });
  assert.equal(result.stderr, '');
  const rows = JSON.parse(result.stdout) as CheckResultJson[];
  assert.deepEqual(
    rows.map((row) => [row.name, row.mode, row.status, row.latest, row.latest_basis]),
    [
      ['copied-as-s3', 'fast', 'up', rows[0]!.latest, 'file_time'],
      ['copied-as-rclone', 'fast', 'up', rows[0]!.latest, 'file_time'],
      ['stopped-as-s3', 'fast', 'down', YEARS_AGO.toISOString(), 'file_time'],
      ['stopped-as-rclone', 'fast', 'down', YEARS_AGO.toISOString(), 'file_time'],
    ],
  );
  assert.ok(Date.now() - Date.parse(rows[0]!.latest!) < 600_000, `copied: ${rows[0]!.latest} is the upload, not the old mtime`);
  const requests = proxy.requests.slice(seen).map((request) => `${request.keyId} ${request.method} ${request.url}`);
  for (const prefix of ['copied', 'stopped']) {
    const list = `/${s3.bucket}?delimiter=%2F&max-keys=1000&prefix=${prefix}%2Fsnapshots%2F`;
    // rclone: one ListObjects page, no HEAD on the directory, none per snapshot.
    assert.deepEqual(requests.filter((line) => line.startsWith(RCLONE_KEY) && line.includes(prefix)), [`${RCLONE_KEY} GET ${list}`]);
    assert.equal(requests.filter((line) => line.startsWith(S3_KEY) && line.includes(`prefix=${prefix}%2Fsnapshots%2F`)).length, 1);
  }
  assert.deepEqual(requests.filter((line) => !line.includes(' GET /')), []);
});
