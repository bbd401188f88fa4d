// discover: over an s3rver prefix holding five repositories made by real restic (init and
// backup), through a recording proxy that counts the ListObjectsV2 requests of a discovery.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { CheckResultJson, UnmonitoredJson } from '../../src/run/result-json.js';
import { runCli } from '../helpers/cli.js';
import { PASSWORD, restic, tempDir } from '../helpers/restic-repos.js';
import { startRecordingProxy, type RecordingProxy } from '../helpers/recording-proxy.js';
import { makeTestCa, startS3rver, type S3rver, type TestCa } from '../helpers/s3rver.js';

const S3_KEYS = { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' };
const REPOSITORIES = ['nas', 'host1/web', 'host1/db', 'host2/mail', 'team/x/archive'];

let dir: string;
let s3: S3rver;
let ca: TestCa;
let proxy: RecordingProxy;
/** The location through the proxy: s3:http://PROXY/restic/backups */
let location: string;

before(async () => {
  dir = await tempDir('rm-discover-s3-');
  ca = await makeTestCa();
  s3 = await startS3rver({ ca });
  const data = join(dir, 'data');
  await writeFile(data, 'data\n');
  // restic writes over TLS (FACTS.md: its plain-http writes to s3rver are corrupted); two at a time.
  const make = async (path: string) => {
    await s3.initRepository(`backups/${path}`);
    await restic(['-r', s3.url(`backups/${path}`), 'backup', '--quiet', '--host', 'h', '--cacert', ca.certPath, data], S3_KEYS);
  };
  for (let i = 0; i < REPOSITORIES.length; i += 2) await Promise.all(REPOSITORIES.slice(i, i + 2).map(make));
  // A folder that is no repository: its file is listed, nothing in it is found.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const { S3Client, PutObjectCommand } = await import('@aws-sdk/client-s3');
  const { Agent } = await import('node:https');
  const client = new S3Client({
    endpoint: s3.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    requestHandler: { httpsAgent: new Agent({ ca: await readFile(ca.certPath, 'utf8') }) },
  });
  await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: 'backups/notes/readme.txt', Body: 'not a repository' }));
  client.destroy();
  proxy = await startRecordingProxy(s3.endpoint, await readFile(ca.certPath, 'utf8'));
  location = `s3:http://${proxy.host}/${s3.bucket}/backups`;
});

after(async () => {
  await proxy?.close();
  await s3?.close();
});

async function cli(args: string[], config: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const file = join(dir, `config-${Math.random().toString(36).slice(2)}.yaml`);
  await writeFile(file, config);
  return runCli([...args, '-c', file], { env: { RESTIC_CACHE_DIR: join(dir, 'cache'), RESTIC_PASSWORD: undefined, AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined } });
}

type Row = CheckResultJson | UnmonitoredJson;
const byName = (stdout: string) => new Map((JSON.parse(stdout) as Row[]).map((row) => [row.name, row]));
/** The discovery's requests: listings of folders, not of a repository's snapshots/ (the checks'). */
const discoveryListings = (from: number) =>
  proxy.requests.slice(from).filter((request) => request.url.includes('list-type=2') && !/prefix=[^&]*snapshots%2F/.test(request.url));

const FAST_DEFAULTS = `defaults:
  mode: fast
  extra_env: {AWS_ACCESS_KEY_ID: S3RVER, AWS_SECRET_ACCESS_KEY: S3RVER}
`;

test('check: false: the two repositories no check covers are unmonitored (exit 1, nothing pushed), in 11 ListObjectsV2 requests, none below a repository', async () => {
  const config = `${FAST_DEFAULTS}repositories:
  nas: {url: "${location}/nas"}
  web: {url: "${location}/host1/web/"}
  db: {url: "s3:http://${proxy.host.toUpperCase()}:80/${s3.bucket}/backups/host1/db"}
discover:
  - {url: "${location}", check: false}
`.replace(`http://${proxy.host.toUpperCase()}:80/`, `http://${proxy.host}/`);
  const from = proxy.requests.length;
  const result = await cli(['status', '--json'], config);
  assert.equal(result.stderr, '');
  assert.equal(result.code, 1);
  const rows = byName(result.stdout);
  assert.deepEqual([...rows.keys()], ['nas', 'web', 'db', 'host2/mail', 'team/x/archive']);
  for (const name of ['nas', 'web', 'db']) assert.equal(rows.get(name)!.status, 'up', name);
  assert.deepEqual(rows.get('host2/mail'), {
    name: 'host2/mail',
    status: 'unmonitored',
    url: `${location}/host2/mail`,
    location,
    message: `no check has this url (found under ${location})`,
    found_at: (rows.get('host2/mail') as UnmonitoredJson).found_at,
  });
  assert.equal(rows.get('team/x/archive')!.status, 'unmonitored');
  const listings = discoveryListings(from);
  // backups/; nas, host1, host2, team, notes; web, db, mail, x; archive.
  assert.equal(listings.length, 11, listings.map((request) => request.url).join('\n'));
  assert.ok(listings.every((request) => request.method === 'GET' && request.url.includes('delimiter=%2F')));
  assert.ok(!proxy.requests.slice(from).some((request) => /data%2F|index%2F|keys%2F/.test(request.url)), 'a listing went below a repository');
  // Only listings reached the bucket: discover reads and writes nothing else.
  assert.deepEqual([...new Set(proxy.requests.slice(from).map((request) => request.method))], ['GET']);
  assert.equal(result.stdout.includes('S3RVER'), false);

  // The table, the run lines and the metrics say the same.
  const table = await cli(['status'], config);
  assert.match(table.stdout, /^host2\/mail\s+-\s+-\s+-\s+-\s+UNMONITORED\s+-\s+-\s+no check has this url \(found under s3:http:\/\/.*\/backups\)$/m);
  const textfile = join(dir, 'metrics.prom');
  const run = await cli(['run', '--textfile', textfile], config);
  assert.equal(run.code, 1);
  assert.match(run.stdout, /^UNMONITORED team\/x\/archive: no check has this url \(found under .*\) \[not pushed \(no monitor\)\]$/m);
  const metrics = await readFile(textfile, 'utf8');
  assert.match(metrics, /^restic_monitor_unmonitored_repositories 2$/m);
  assert.match(metrics, new RegExp(`^restic_monitor_unmonitored_repository_info\\{name="host2/mail",url="${location.replace(/[.]/g, '\\.')}/host2/mail",location="[^"]+"\\} 1$`, 'm'));
});

test('check: true: all five are checked with defaults, named by their path below the location (restic mode, real restic)', async () => {
  const result = await cli(
    ['status', '--json'],
    `defaults:
  mode: restic
  reader: restic
  max_age: 1d
  extra_env: {AWS_ACCESS_KEY_ID: S3RVER, AWS_SECRET_ACCESS_KEY: S3RVER, RESTIC_PASSWORD: ${PASSWORD}}
discover:
  - url: "${location}"
`,
  );
  assert.equal(result.stderr, '');
  const rows = byName(result.stdout);
  assert.deepEqual([...rows.keys()].sort(), [...REPOSITORIES].sort());
  for (const row of rows.values()) {
    const check = row as CheckResultJson;
    assert.equal(check.status, 'up', `${check.name}: ${check.message}`);
    assert.equal(check.mode, 'restic');
  }
  assert.equal(result.code, 0);
  assert.equal(result.stdout.includes(PASSWORD), false);
});

test('a configured check wins its name: the repository found under that name is unmonitored, saying why', async () => {
  const result = await cli(
    ['status', '--json'],
    `${FAST_DEFAULTS}repositories:
  nas: {url: "${location}/host1/web"}
discover:
  - url: "${location}"
`,
  );
  const rows = JSON.parse(result.stdout) as Row[];
  assert.equal(result.code, 1);
  // host1/web is covered by "nas" (same URL); the nas found is not.
  assert.deepEqual(rows.map((row) => `${row.name} ${row.status}`), ['nas up', 'host1/db up', 'host2/mail up', 'team/x/archive up', 'nas unmonitored']);
  const found = (JSON.parse(result.stdout) as Row[]).at(-1) as UnmonitoredJson;
  assert.equal(found.status, 'unmonitored');
  assert.equal(found.message, `its name "nas" is taken by the configured check "nas" (found under ${location})`);
});

test('a location that cannot be listed is a down row and exit 1, never "nothing found"', async () => {
  const result = await cli(
    ['status', '--json'],
    `${FAST_DEFAULTS}discover:
  - url: "s3:http://${proxy.host}/no-such-bucket/backups"
  - url: "s3:http://127.0.0.1:1/restic/backups"
`,
  );
  assert.equal(result.code, 1);
  const rows = JSON.parse(result.stdout) as CheckResultJson[];
  assert.deepEqual(
    rows.map(({ name, status, message }) => ({ name, status, message })),
    [
      { name: `s3:http://${proxy.host}/no-such-bucket/backups`, status: 'down', message: 'discovery failed: bucket "no-such-bucket" not found' },
      { name: 's3:http://127.0.0.1:1/restic/backups', status: 'down', message: 'discovery failed: endpoint unreachable: 127.0.0.1:1 refused the connection' },
    ],
  );
});
