import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cp, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { FIXTURES, ROOT } from './helpers/paths.js';
import { startPushReceiver, type PushReceiver } from './helpers/push-receiver.js';
import { tempDir } from './helpers/restic-repos.js';
import { startS3rver, type S3rver } from './helpers/s3rver.js';

// The committed bundle is what the Nix package and the container ship: run it, away from
// node_modules, through a push and a fast-mode check (its lazily loaded S3 chunk).
let receiver: PushReceiver;
let s3: S3rver;
let bundle: string;
let dir: string;

before(async () => {
  dir = await tempDir('rm-bundle-');
  bundle = join(dir, 'bundle');
  await cp(join(ROOT, 'bundle'), bundle, { recursive: true });
  receiver = await startPushReceiver(['tok-restic', 'tok-fast']);
  s3 = await startS3rver();
  const client = new S3Client({ endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
  await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: `repo/snapshots/${'a'.repeat(64)}`, Body: 'x' }));
  client.destroy();
});
after(async () => {
  await receiver?.close();
  await s3?.close();
});

function runBundle(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(bundle, 'restic-monitor.mjs'), ...args], { cwd: dir, env: { PATH: process.env.PATH, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test('the bundle checks in restic and fast mode and pushes to Uptime Kuma', async () => {
  const config = join(dir, 'config.yaml');
  await writeFile(
    config,
    `defaults:
  push_url: ${receiver.pushUrl}
repositories:
  with-restic: {url: /unused, push_token: tok-restic}
  fast: {url: "${s3.url('repo')}", mode: fast, push_token: tok-fast, extra_env: {AWS_ACCESS_KEY_ID: S3RVER, AWS_SECRET_ACCESS_KEY: S3RVER}}
`,
  );
  const result = await runBundle(['run', '--config', config], { RESTIC_MONITOR_READER: 'restic', RESTIC_MONITOR_RESTIC: join(FIXTURES, 'restic-fresh') });
  assert.equal(result.code, 0, result.stdout + result.stderr);
  assert.match(result.stdout, /^UP   with-restic: latest snapshot 1h ago \(max 1d\) \[pushed to uptime-kuma\]\nUP   fast: latest snapshot (just now|\d+s ago) \(max 1d\) \[pushed to uptime-kuma\]\n$/);
  assert.deepEqual(receiver.beats.map((beat) => [beat.token, beat.status]).sort(), [['tok-fast', 'up'], ['tok-restic', 'up']]);
});

test('the bundle loads its lazily required packages when they are needed: Handlebars for a template, croner for a schedule, pino for a log line', async () => {
  const config = join(dir, 'lazy.yaml');
  await writeFile(
    config,
    `defaults:
  url: /srv/restic/{{ .Name }}
  schedule: "0 6 * * *"
repositories:
  web: {}
`,
  );
  const validated = await runBundle(['validate', '--config', config], {});
  assert.equal(validated.code, 0, validated.stdout + validated.stderr);
  assert.match(validated.stdout, /url: \/srv\/restic\/web\n/);
  // No repository there: the check fails, and at info that is a JSON log line.
  const status = await runBundle(['status', '--json', '--log-level', 'info', '--config', config], {});
  assert.equal(status.code, 1, status.stdout + status.stderr);
  const line = JSON.parse(status.stderr.split('\n').find((text) => text.includes('"check":"web"'))!) as { level: number; name: string; status: string };
  assert.deepEqual([line.level, line.name, line.status], [30, 'restic-monitor', 'down']);
});
