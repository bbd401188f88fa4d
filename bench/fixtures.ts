import { chmod, cp, mkdir, readdir, rm, writeFile, copyFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { startPushReceiver, type PushReceiver } from '../test/helpers/push-receiver.js';
import { makeRepository, restic, tempDir } from '../test/helpers/restic-repos.js';
import { makeTestCa, startS3rver, type S3rver, type TestCa } from '../test/helpers/s3rver.js';

export const S3_ENV = { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' };

export interface Fixtures {
  dir: string;
  ca: TestCa;
  s3: S3rver;
  receiver: PushReceiver;
  /** Prefixes repo-0 ... repo-(fleet-1) in the bucket, each a copy of one real restic repository. */
  fleet: string[];
  /** Prefix of the repository with `bigSnapshots` snapshot objects. */
  big: string;
  /** Local restic repositories (restic mode). */
  local: string[];
  /** A "restic" that prints [] at once: what is left is the CLI's own start-up. */
  resticStub: string;
  close(): Promise<void>;
}

export interface Sizes {
  fleet: number;
  bigSnapshots: number;
  local: number;
}

/**
 * Everything the cases need, made once: one real restic repository written through s3rver
 * (TLS, as restic writes need), copied on disk into `fleet` prefixes (s3rver serves straight
 * from its directory, so each copy is a whole restic repository); a big one whose snapshot
 * object is copied under `bigSnapshots` random ids (fast mode lists names and dates only);
 * `local` local repositories made by restic.
 */
export async function makeFixtures(sizes: Sizes, log: (line: string) => void): Promise<Fixtures> {
  const dir = await tempDir('rm-bench-');
  const ca = await makeTestCa();
  const s3 = await startS3rver({ ca });
  const tokens = Array.from({ length: Math.max(sizes.fleet, sizes.local) }, (_, i) => `tok${i}`);
  const receiver = await startPushReceiver(tokens);

  log('seeding one restic repository on s3rver');
  const data = join(dir, 'data');
  await mkdir(data);
  await writeFile(join(data, 'file.txt'), 'bench data\n');
  await restic(['-r', s3.url('seed'), '--cacert', ca.certPath, 'init'], S3_ENV);
  await restic(['-r', s3.url('seed'), '--cacert', ca.certPath, 'backup', '--quiet', data], S3_ENV);
  const bucketDir = join(s3.dir, s3.bucket);

  log(`copying it into ${sizes.fleet} prefixes`);
  const fleet = Array.from({ length: sizes.fleet }, (_, i) => `repo-${i}`);
  for (const prefix of fleet) await cp(join(bucketDir, 'seed'), join(bucketDir, prefix), { recursive: true });

  log(`big repository: ${sizes.bigSnapshots} snapshot objects`);
  const big = 'big';
  await cp(join(bucketDir, 'seed'), join(bucketDir, big), { recursive: true });
  const snapshots = join(bucketDir, big, 'snapshots');
  const [objectFile] = (await readdir(snapshots)).filter((name) => name.endsWith('._S3rver_object'));
  const id = objectFile!.slice(0, -'._S3rver_object'.length);
  for (let made = 1; made < sizes.bigSnapshots; made++) {
    const copy = randomBytes(32).toString('hex');
    for (const suffix of ['object', 'object.md5', 'metadata.json']) {
      await copyFile(join(snapshots, `${id}._S3rver_${suffix}`), join(snapshots, `${copy}._S3rver_${suffix}`));
    }
  }

  log(`${sizes.local} local restic repositories`);
  const local = await Promise.all(
    Array.from({ length: sizes.local }, (_, i) => makeRepository(join(dir, `local-${i}`), [{ host: 'bench' }], {}, { resticKey: true })),
  );

  const resticStub = join(dir, 'restic-stub');
  await writeFile(resticStub, '#!/bin/sh\necho "[]"\n');
  await chmod(resticStub, 0o755);

  return {
    dir,
    ca,
    s3,
    receiver,
    fleet,
    big,
    local,
    resticStub,
    close: async () => {
      await receiver.close();
      await s3.close();
      // Tens of thousands of files per run: not left behind in /tmp.
      for (const path of [dir, s3.dir, ca.dir]) await rm(path, { recursive: true, force: true });
    },
  };
}
