/**
 * Child-process entry for startS3rver: s3rver 3.7 with extra access key ids registered
 * (it knows only "S3RVER" by itself and rejects other ids with InvalidAccessKeyId; it never
 * checks a v4 signature, so secrets are not verified). Argument: JSON options.
 */
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';

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
