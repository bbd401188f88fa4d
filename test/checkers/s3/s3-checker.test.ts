import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile, utimes } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { S3Client, PutObjectCommand } from '@aws-sdk/client-s3';
import { Agent } from 'node:https';
import { S3Checker } from '../../../src/checkers/s3/checker.js';
import type { CheckContext } from '../../../src/checkers/checker.js';
import type { Check } from '../../../src/config/types.js';
import { startRecordingProxy, type RecordingProxy } from '../../helpers/recording-proxy.js';
import { makeTestCa, startS3rver, type S3rver, type TestCa } from '../../helpers/s3rver.js';

const HEX = (seed: string) => createHash('sha256').update(seed).digest('hex');
const OLD = new Date('2021-03-04T05:06:07Z');
const KEYS_A = { AWS_ACCESS_KEY_ID: 'KEYIDAAAAAAAAAAAAAAA', AWS_SECRET_ACCESS_KEY: 'secret-a-0123456789' };
const KEYS_B = { AWS_ACCESS_KEY_ID: 'KEYIDBBBBBBBBBBBBBBB', AWS_SECRET_ACCESS_KEY: 'secret-b-0123456789' };
const ENV_KEYS = { AWS_ACCESS_KEY_ID: 'KEYIDENVENVENVENVENV', AWS_SECRET_ACCESS_KEY: 'secret-env-0123456789' };

let ca: TestCa;
let s3: S3rver;
let proxy: RecordingProxy;
let checker: S3Checker;
let client: S3Client;
const MANY = 2_600;

const repository = (url: string, more: Partial<Check> = {}): Check => ({
  name: 'repo',
  repository: 'repo',
  url,
  maxAgeMs: 86_400_000,
  extraEnv: { ...KEYS_A },
  timeoutMs: 30_000,
  pushTimeoutMs: 10_000,
  mode: 'fast',
  intervalMs: 3_600_000,
  bucketLookup: 'auto',
  tags: [],
  paths: [],
  ...more,
});
const context = (more: Partial<CheckContext> = {}): CheckContext => ({ signal: new AbortController().signal, env: {}, ...more });
const viaProxy = (prefix: string) => `s3:http://${proxy.host}/${s3.bucket}/${prefix}`;

async function put(keys: string[]): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < keys.length) {
      const key = keys[next++]!;
      await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: key, Body: 'x' }));
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
}

before(async () => {
  ca = await makeTestCa();
  s3 = await startS3rver({ ca, keyIds: [KEYS_A.AWS_ACCESS_KEY_ID, KEYS_B.AWS_ACCESS_KEY_ID, ENV_KEYS.AWS_ACCESS_KEY_ID] });
  const pem = await readFile(ca.certPath, 'utf8');
  proxy = await startRecordingProxy(s3.endpoint, pem);
  checker = new S3Checker();
  client = new S3Client({
    endpoint: s3.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    requestHandler: { httpsAgent: new Agent({ ca: pem, keepAlive: true }) },
  });
  // Pagination: more snapshot objects than two pages of 1,000 hold (written as s3rver stores
  // them; one PUT each would cost the suite most of its time).
  await s3.store(Array.from({ length: MANY }, (_, i) => `many/snapshots/${HEX(`many-${i}`)}`), 'x');
  await put([`two/snapshots/${HEX('two-1')}`, `two/snapshots/${HEX('two-2')}`, 'two/snapshots/', 'two/snapshots/README', `two/data/00/${HEX('data')}`]);
  await put([`a/b/c/snapshots/${HEX('nested')}`, `snapshots/${HEX('root')}`, 'empty/config']);
  await s3.setMtime('many', OLD);
  await s3.setMtime('two', OLD);
  // Below snapshots/x/ is not a snapshot, however new and however named.
  await put([`two/snapshots/x/${HEX('deep')}`]);
});

after(async () => {
  client?.destroy();
  await checker?.close();
  await proxy?.close();
  await s3?.close();
});

test('pagination: the newest of 2,600 snapshot objects is found on the third page, and every one is counted', async () => {
  const keys = Array.from({ length: MANY }, (_, i) => HEX(`many-${i}`)).sort();
  const newest = new Date('2024-05-06T07:08:09Z');
  await utimes(`${s3.dir}/${s3.bucket}/many/snapshots/${keys[2_400]}._S3rver_object`, newest, newest);
  const seen = proxy.requests.length;
  const observation = await checker.check(repository(viaProxy('many')), context());
  assert.deepEqual(observation, { latest: newest, snapshots: MANY });
  const lists = proxy.requests.slice(seen);
  assert.equal(lists.length, 3);
  assert.equal(lists.filter((request) => request.url.includes('continuation-token=')).length, 2);
});

test('only snapshot objects count: folder markers, stray files, data packs and anything below snapshots/x/ are ignored', async () => {
  const seen = proxy.requests.length;
  assert.deepEqual(await checker.check(repository(viaProxy('two')), context()), { latest: OLD, snapshots: 2 });
  // One request, listing the direct children only.
  assert.deepEqual(
    proxy.requests.slice(seen).map((request) => [request.method, new URL(request.url, 'http://x').searchParams.get('delimiter')]),
    [['GET', '/']],
  );
});

test('nested prefixes, trailing slashes and the bucket root list the right place', async () => {
  const nested = await checker.check(repository(`${s3.url('a/b/c/')}`, { caCert: ca.certPath }), context());
  assert.equal(nested.snapshots, 1);
  const root = await checker.check(repository(s3.url(''), { caCert: ca.certPath }), context());
  assert.equal(root.snapshots, 1);
});

test('an empty prefix has no snapshots: an answer, not a failure', async () => {
  assert.deepEqual(await checker.check(repository(viaProxy('empty')), context()), { latest: null, snapshots: 0 });
  assert.deepEqual(await checker.check(repository(viaProxy('nothing-here/at-all')), context()), { latest: null, snapshots: 0 });
});

test('two repositories with different keys in one run each sign with their own key; the environment is the fallback', async () => {
  const seen = proxy.requests.length;
  const results = await Promise.all([
    checker.check(repository(viaProxy('two'), { extraEnv: KEYS_A }), context({ env: ENV_KEYS })),
    checker.check(repository(viaProxy('a/b/c'), { extraEnv: KEYS_B }), context({ env: ENV_KEYS })),
    checker.check(repository(viaProxy('empty'), { extraEnv: {} }), context({ env: ENV_KEYS })),
  ]);
  assert.deepEqual(results.map((result) => result.snapshots), [2, 1, 0]);
  const byPrefix = (prefix: string) => [...new Set(proxy.requests.slice(seen).filter((r) => r.url.includes(`prefix=${encodeURIComponent(prefix)}`)).map((r) => r.keyId))];
  assert.deepEqual(byPrefix('two/snapshots/'), [KEYS_A.AWS_ACCESS_KEY_ID]);
  assert.deepEqual(byPrefix('a/b/c/snapshots/'), [KEYS_B.AWS_ACCESS_KEY_ID]);
  assert.deepEqual(byPrefix('empty/snapshots/'), [ENV_KEYS.AWS_ACCESS_KEY_ID]);
});

test('checks with the same endpoint and key share one client and its keep-alive connection; another key gets its own', async () => {
  const fresh = new S3Checker();
  try {
    const before = proxy.connections();
    for (let i = 0; i < 5; i++) await fresh.check(repository(viaProxy('two'), { name: `same-${i}` }), context());
    assert.equal(proxy.connections() - before, 1);
    await fresh.check(repository(viaProxy('two'), { extraEnv: KEYS_B }), context());
    assert.equal(proxy.connections() - before, 2);
  } finally {
    await fresh.close();
  }
});

test('nothing but ListObjectsV2 ever reached the server', () => {
  assert.ok(proxy.requests.length >= 8);
  const others = proxy.requests.filter((request) => !(request.method === 'GET' && /^\/restic\/?\?(.*&)?list-type=2(&|$)/.test(request.url)) && request.method !== 'HEAD');
  assert.deepEqual(others, []);
});

test('a missing bucket says so, naming the bucket', async () => {
  await assert.rejects(checker.check(repository(`s3:http://${proxy.host}/no-such-bucket/x`), context()), { reason: 'bucket "no-such-bucket" not found' });
});

test('an access key id the endpoint does not know is an invalid access key', async () => {
  const keys = { AWS_ACCESS_KEY_ID: 'UNKNOWNKEYID00000000', AWS_SECRET_ACCESS_KEY: 'unknown-secret-000' };
  await assert.rejects(checker.check(repository(viaProxy('two'), { extraEnv: keys }), context()), {
    reason: 'invalid access key (the endpoint does not know this key id)',
  });
});

test('a closed port is an unreachable endpoint, named with its port', async () => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await assert.rejects(checker.check(repository(`s3:http://127.0.0.1:${port}/restic/x`), context()), {
    reason: `endpoint unreachable: 127.0.0.1:${port} refused the connection`,
  });
});

test('a TLS endpoint with a private CA fails without ca_cert, naming the host, and works with it', async () => {
  await assert.rejects(checker.check(repository(s3.url('two')), context()), { reason: `TLS failure with ${s3.host}: certificate not trusted (set ca_cert)` });
  assert.equal((await checker.check(repository(s3.url('two'), { caCert: ca.certPath }), context())).snapshots, 2);
  await assert.rejects(checker.check(repository(s3.url('two'), { caCert: '/nonexistent/ca.pem' }), context()), {
    reason: 'cannot read ca_cert /nonexistent/ca.pem: no such file',
  });
});

async function hangingServer(): Promise<{ server: Server; host: string; sockets: Set<Socket> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.resume(); // reads and drops the request, so that the client's close is seen
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, host: `127.0.0.1:${(server.address() as AddressInfo).port}`, sockets };
}

test('a server that accepts and never answers is cut off by the repository timeout, leaving no connection open', async () => {
  const { server, host, sockets } = await hangingServer();
  try {
    await assert.rejects(checker.check(repository(`s3:http://${host}/restic/x`, { timeoutMs: 1_000 }), context()), { reason: 'timed out after 1s' });
    for (let i = 0; i < 50 && sockets.size > 0; i++) await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(sockets.size, 0);
  } finally {
    server.close();
  }
});

test('aborting the run stops a check in flight', async () => {
  const { server, host } = await hangingServer();
  try {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    await assert.rejects(checker.check(repository(`s3:http://${host}/restic/x`), context({ signal: controller.signal })), { reason: 'aborted' });
  } finally {
    server.close();
  }
});
