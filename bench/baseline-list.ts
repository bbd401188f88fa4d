/**
 * The lower bound for fast mode: ListObjectsV2 over every prefix with `concurrency` in flight,
 * each prefix paged to its end, one keep-alive S3Client; nothing else (no config, no verdict,
 * no push, no output). Argument: JSON { endpoint, bucket, prefixes, concurrency, caPath }.
 */
import { readFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { createSecureContext, rootCertificates } from 'node:tls';

interface Options {
  endpoint: string;
  bucket: string;
  prefixesFile: string;
  concurrency: number;
  caPath: string;
}

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const options = JSON.parse(process.argv[2]!) as Options;
const prefixes = readFileSync(options.prefixesFile, 'utf8').split('\n').filter(Boolean);
const { S3Client, ListObjectsV2Command } = await import('@aws-sdk/client-s3');
const client = new S3Client({
  endpoint: options.endpoint,
  region: 'us-east-1',
  forcePathStyle: true,
  credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    // The cheapest correct way to trust one more CA: one secure context for every connection.
  requestHandler: {
    httpsAgent: new Agent({ keepAlive: true, secureContext: createSecureContext({ ca: [...rootCertificates, readFileSync(options.caPath, 'utf8')] }) }),
  },
});

let cursor = 0;
let objects = 0;
async function worker(): Promise<void> {
  while (cursor < prefixes.length) {
    const prefix = prefixes[cursor++]!;
    let token: string | undefined;
    do {
      const page = await client.send(new ListObjectsV2Command({ Bucket: options.bucket, Prefix: prefix, ContinuationToken: token }));
      objects += page.KeyCount ?? 0;
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }
}
await Promise.all(Array.from({ length: Math.min(options.concurrency, prefixes.length) }, worker));
client.destroy();
// The object count lets the bench check that the baseline saw what the tool saw.
process.stdout.write(`${objects}\n`);
