import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runCli } from '../../helpers/cli.js';
import { fingerprint } from '../../helpers/fingerprint.js';
import { PASSWORD, restic, tempDir } from '../../helpers/restic-repos.js';
import { makeTestCa, startS3rver, type S3rver, type TestCa } from '../../helpers/s3rver.js';

const CREDENTIALS = { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' };
let ca: TestCa;
let s3: S3rver;
let dir: string;

before(async () => {
  ca = await makeTestCa();
  s3 = await startS3rver({ ca });
  dir = await tempDir('rm-ro-s3-');
  await writeFile(join(dir, 'data.txt'), 'data\n');
  // restore_drill's canary, in the same snapshot.
  await writeFile(join(dir, 'backup-canary'), `${Math.floor(Date.now() / 1000)}\n`);
  await s3.initRepository('repo');
  await restic(['-r', s3.url('repo'), '--cacert', ca.certPath, 'backup', '--quiet', join(dir, 'data.txt'), join(dir, 'backup-canary')], CREDENTIALS);
});
after(() => s3?.close());

test('the bucket is byte for byte the same after checks in both modes', async () => {
  const config = join(dir, 'config.yaml');
  await writeFile(
    config,
    `defaults:
  url: ${s3.url('repo')}
  ca_cert: ${ca.certPath}
  cache_dir: ${join(dir, 'cache')}
  extra_env: {AWS_ACCESS_KEY_ID: S3RVER, AWS_SECRET_ACCESS_KEY: S3RVER, RESTIC_PASSWORD: ${PASSWORD}}
repositories:
  with-restic: {mode: restic, restore_drill: {path: ${join(dir, 'backup-canary')}}}
  fast: {mode: fast}
`,
  );
  const before = await fingerprint(join(s3.dir, s3.bucket));
  assert.ok(before.some((row) => row.startsWith('repo/snapshots/')), 'the repository is there');
  for (let i = 0; i < 3; i++) {
    const result = await runCli(['status', '--json', '--config', config]);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const modes = (JSON.parse(result.stdout) as Array<{ mode: string; status: string }>).map((row) => `${row.mode}:${row.status}`);
    assert.deepEqual(modes, ['restic:up', 'fast:up']);
  }
  assert.deepEqual(await fingerprint(join(s3.dir, s3.bucket)), before);
});
