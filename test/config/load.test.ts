import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createServer } from 'node:net';
import { after, before, test } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { startPushReceiver, type PushReceiver } from '../helpers/push-receiver.js';
import { tempDir } from '../helpers/restic-repos.js';
import { startS3rver, type S3rver } from '../helpers/s3rver.js';

// A fleet: 900 healthy repositories, 50 in a bucket that does not exist, 50 on a closed port.
const HEALTHY = 900;
const MISSING_BUCKET = 50;
const REFUSED = 50;
const TOTAL = HEALTHY + MISSING_BUCKET + REFUSED;

let s3: S3rver;
let receiver: PushReceiver;
let dir: string;
let refusedPort: number;

before(async () => {
  s3 = await startS3rver();
  dir = await tempDir('rm-load-');
  const tokens = Array.from({ length: TOTAL }, (_, i) => `tok${i}`);
  receiver = await startPushReceiver(tokens);
  // Written as s3rver stores a PUT: 900 PUTs would cost more than the run under test.
  await s3.store(Array.from({ length: HEALTHY }, (_, i) => `repo${i}/snapshots/${i.toString(16).padStart(64, '0')}`), 'x');
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  refusedPort = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
});
after(async () => {
  await receiver?.close();
  await s3?.close();
});

test('1,000 repositories in fast mode: every one reported, failures named, memory bounded', async (t) => {
  const lines = ['concurrency: 16', 'defaults:', '  mode: fast', `  push_url: ${receiver.pushUrl}`, '  timeout: 30s', '  extra_env: {AWS_ACCESS_KEY_ID: S3RVER, AWS_SECRET_ACCESS_KEY: S3RVER}', 'repositories:'];
  for (let i = 0; i < TOTAL; i++) {
    const url =
      i < HEALTHY ? `s3:${s3.endpoint}/${s3.bucket}/repo${i}` : i < HEALTHY + MISSING_BUCKET ? `s3:${s3.endpoint}/no-such-bucket/repo${i}` : `s3:http://127.0.0.1:${refusedPort}/${s3.bucket}/repo${i}`;
    lines.push(`  r${i}: {url: "${url}", push_token: tok${i}}`);
  }
  const config = join(dir, 'fleet.yaml');
  await writeFile(config, `${lines.join('\n')}\n`);
  const rssFile = join(dir, 'max-rss');
  const hook = pathToFileURL(join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..', 'helpers', 'max-rss-hook.js')).href;
  const result = await runCli(['run', '--config', config], { env: { NODE_OPTIONS: `--import=${hook}`, RM_MAX_RSS_FILE: rssFile, LOG_LEVEL: 'warn' }, timeoutMs: 240_000 });

  assert.equal(result.code, 1);
  const out = result.stdout.trimEnd().split('\n');
  assert.equal(out.length, TOTAL);
  const count = (pattern: RegExp) => out.filter((line) => pattern.test(line)).length;
  assert.equal(count(/^UP   r\d+: latest snapshot (just now|\d+s ago|\d+m\d*s? ago) \(max 1d\) \[pushed to uptime-kuma\]$/), HEALTHY);
  assert.equal(count(/^DOWN r\d+: check failed: bucket "no-such-bucket" not found \[pushed to uptime-kuma\]$/), MISSING_BUCKET);
  assert.equal(count(new RegExp(`^DOWN r\\d+: check failed: .*127\\.0\\.0\\.1:${refusedPort}.* \\[pushed to uptime-kuma\\]$`)), REFUSED);
  assert.equal(receiver.beats.length, TOTAL);
  assert.doesNotMatch(result.stderr, /unhandled|UnhandledPromiseRejection|internal error/i);
  const maxRssMiB = Number(await readFile(rssFile, 'utf8')) / 1024;
  t.diagnostic(`peak RSS ${maxRssMiB.toFixed(0)} MiB; ${out.find((line) => line.includes(String(refusedPort)))}`);
  assert.ok(maxRssMiB < 300, `peak RSS ${maxRssMiB.toFixed(0)} MiB`);
});
