/**
 * Child-process entry for startS3rver: s3rver 3.7 with extra access key ids registered
 * (it knows only "S3RVER" by itself and rejects other ids with InvalidAccessKeyId; it never
 * checks a v4 signature, so secrets are not verified). Argument: JSON options.
 */
import { createRequire } from 'node:module';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface Options {
  dir: string;
  bucket: string;
  keyIds: string[];
  keyPath?: string;
  certPath?: string;
}

const require = createRequire(import.meta.url);
const S3rver = require('s3rver') as new (options: Record<string, unknown>) => { run(): Promise<{ address: string; port: number }> };
const { DUMMY_ACCOUNT } = require('s3rver/lib/models/account') as { DUMMY_ACCOUNT: { createKeyPair(id: string, secret: string): void } };

interface Listing {
  commonPrefixes: string[];
}
interface Store {
  getBucketPath(bucket: string): string;
  listObjects(bucket: string, options: { delimiter?: string; prefix?: string; startAfter?: string }): Promise<Listing>;
}
const FilesystemStore = require('s3rver/lib/stores/filesystem') as { prototype: Store };

/**
 * s3rver 3.7 reports a common prefix (Delimiter '/') only for a folder that holds an object
 * directly: `backups/` listed `nas/` (which holds `nas/config`) but not `host1/` (which holds
 * only `host1/web/...`), and the bucket root listed no folder at all. S3 reports every folder
 * with an object anywhere below it; discover: walks folders so, level by level. This adds
 * the folders s3rver leaves out, for a prefix that names a folder (or the root).
 */
const listObjects = FilesystemStore.prototype.listObjects;
FilesystemStore.prototype.listObjects = async function (this: Store, bucket, listOptions) {
  const result = await listObjects.call(this, bucket, listOptions);
  const { delimiter = '', prefix = '', startAfter = '' } = listOptions;
  if (delimiter !== '/' || (prefix !== '' && !prefix.endsWith('/'))) return result;
  const dir = join(this.getBucketPath(bucket), prefix);
  const prefixes = new Set(result.commonPrefixes);
  for (const entry of entriesOf(dir)) {
    const folder = `${prefix}${entry.name}/`;
    if (entry.isDirectory() && folder > startAfter && entriesOf(join(dir, entry.name), true).some((inner) => inner.name.endsWith('._S3rver_object'))) prefixes.add(folder);
  }
  return { ...result, commonPrefixes: [...prefixes].sort() };
};

function entriesOf(dir: string, recursive = false) {
  try {
    return readdirSync(dir, { withFileTypes: true, recursive });
  } catch {
    return [];
  }
}

const options = JSON.parse(process.argv[2]!) as Options;
for (const id of options.keyIds) DUMMY_ACCOUNT.createKeyPair(id, 'unchecked');
const server = new S3rver({
  address: '127.0.0.1',
  port: 0,
  silent: true,
  directory: options.dir,
  configureBuckets: [{ name: options.bucket, configs: [] }],
  ...(options.keyPath && { key: readFileSync(options.keyPath), cert: readFileSync(options.certPath!) }),
});
const { address, port } = await server.run();
process.stdout.write(`S3rver listening on ${address}:${port}\n`);
