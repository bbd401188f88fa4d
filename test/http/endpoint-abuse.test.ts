import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ENDPOINT_LIMITS, startHttpEndpoint, type Endpoints } from '../../src/http/server.js';
import { startDaemon, waitFor, type DaemonProcess } from '../helpers/daemon-process.js';
import { tempDir } from '../helpers/restic-repos.js';

/** Sends `text` as is on a new connection; resolves with all the server sent before it closed. */
function exchange(url: string, text: string, timeoutMs = 15_000): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(text));
    let received = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no close within ${timeoutMs} ms after ${JSON.stringify(text)}; got ${JSON.stringify(received)}`));
    }, timeoutMs);
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (received += chunk));
    socket.on('error', () => {}); // a reset ends it as a close does
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(received);
    });
  });
}

/** A connection that sends half a request and then nothing; resolves once connected. */
function halfRequest(url: string): Promise<{ socket: Socket; closed: Promise<string> }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let received = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (received += chunk));
    socket.on('error', () => {});
    const closed = new Promise<string>((done) => socket.on('close', () => done(received)));
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.write('GET /healthz HTTP/1.1\r\nHost: monitor\r\nUser-Agent: half');
      resolve({ socket, closed });
    });
  });
}

/** GET with a bound: a deaf endpoint fails the test in seconds. */
async function get(url: string, timeoutMs = 15_000): Promise<{ status: number; body: string }> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error(`GET ${url}: no answer within ${timeoutMs} ms`)), timeoutMs);
  try {
    const response = await fetch(url, { signal: controller.signal });
    return { status: response.status, body: await response.text() };
  } finally {
    clearTimeout(timer);
  }
}

const bodyOf = (answer: string) => answer.slice(answer.indexOf('\r\n\r\n') + 4);
const statusLine = (answer: string) => answer.slice(0, answer.indexOf('\r\n'));

let daemon: DaemonProcess;
before(async () => {
  const dir = await tempDir('rm-endpoint-abuse-');
  const config = join(dir, 'config.yaml');
  // One check, made once at start (interval 1h): what /status shows stays put while the test runs.
  await writeFile(config, 'listen: 127.0.0.1:0\ndefaults:\n  interval: 1h\nrepositories:\n  gone:\n    url: /nonexistent/restic-monitor-repo\n    extra_env: {RESTIC_PASSWORD: pw}\n');
  daemon = await startDaemon(['-c', config]);
  // The body ends in a newline: '[]\n' until the check is done.
  await waitFor('the first check', async () => (await get(`${daemon.url}/status`)).body.trim() !== '[]');
});
after(async () => {
  const stopped = await daemon.stop('SIGTERM');
  assert.equal(stopped.code, 0, daemon.stderr());
});

test('a request target that is not a URL gets 400 and changes nothing; malformed HTTP gets Node\'s 400 or 431; the daemon keeps serving', async () => {
  const before = await get(`${daemon.url}/status`);
  for (const target of ['http://[', 'http://a:99999/', 'http://[::1/metrics']) {
    const answer = await exchange(daemon.url, `GET ${target} HTTP/1.1\r\nHost: monitor\r\nConnection: close\r\n\r\n`);
    assert.equal(statusLine(answer), 'HTTP/1.1 400 Bad Request', target);
    assert.match(answer, /\r\ncontent-type: text\/plain; charset=utf-8\r\n/);
    // Chunked: the one chunk's size, the text, the last chunk.
    assert.equal(bodyOf(answer), '2d\r\nbad request: the request target is not a URL\n\r\n0\r\n\r\n', target);
  }
  // HTTP/1.0 (no chunking): the body as it is.
  assert.equal(bodyOf(await exchange(daemon.url, 'HEAD http://[ HTTP/1.0\r\n\r\n')), '');
  assert.equal(bodyOf(await exchange(daemon.url, 'GET http://[ HTTP/1.0\r\n\r\n')), 'bad request: the request target is not a URL\n');
  // What Node's parser refuses never reaches the daemon's code: its own answers, then closed.
  assert.equal(await exchange(daemon.url, 'GARBAGE\r\n\r\n'), 'HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
  assert.equal(await exchange(daemon.url, 'GET /healthz HTTP/1.1\r\nHost: monitor\r\nContent-Length: abc\r\n\r\n'), 'HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
  assert.equal(await exchange(daemon.url, `GET /healthz HTTP/1.1\r\nHost: monitor\r\nX-Big: ${'x'.repeat(20_000)}\r\n\r\n`), 'HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\n\r\n');
  assert.equal(await exchange(daemon.url, 'CONNECT example.org:443 HTTP/1.1\r\nHost: example.org:443\r\n\r\n'), '');

  assert.equal(daemon.child.exitCode, null, `the daemon exited:\n${daemon.stderr()}`);
  assert.deepEqual(await get(`${daemon.url}/healthz`), { status: 200, body: 'ok: 1 check on schedule\n' });
  assert.deepEqual(await get(`${daemon.url}/status`), before);
  assert.doesNotMatch(daemon.stderr(), /internal error answering/);
});

test(`${ENDPOINT_LIMITS.connections + 36} connections holding half a request: /healthz still answers, the oldest of them are closed`, async () => {
  const count = ENDPOINT_LIMITS.connections + 36;
  const held: Array<{ socket: Socket; closed: Promise<string> }> = [];
  try {
    // One after another, so that the server accepts them in this order.
    for (let i = 0; i < count; i++) held.push(await halfRequest(daemon.url));
    for (let round = 0; round < 3; round++) assert.deepEqual(await get(`${daemon.url}/healthz`), { status: 200, body: 'ok: 1 check on schedule\n' });
    // Each connection past the cap closed the least recently served one: stalled ones first.
    let closed = 0;
    for (const { closed: gone } of held) void gone.then(() => closed++);
    await waitFor('the oldest half-requests to be closed', () => closed >= count - ENDPOINT_LIMITS.connections + 1, 15_000);
    assert.equal(daemon.child.exitCode, null);
  } finally {
    for (const { socket } of held) socket.destroy();
  }
});

const fixed: Endpoints = {
  metrics: () => ({ body: '', contentType: 'text/plain' }),
  health: () => ({ ok: true, reason: 'ok' }),
  status: () => '[]',
  statusPage: () => '',
};

test('a request that does not arrive within the limit gets 408 and is closed; so does a connection that sends nothing', async () => {
  const endpoint = await startHttpEndpoint({ host: '127.0.0.1', port: 0 }, fixed, { limits: { ...ENDPOINT_LIMITS, requestMs: 300, idleMs: 600, checkEveryMs: 100 } });
  try {
    const half = await halfRequest(endpoint.url);
    assert.equal(await half.closed, 'HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n');
    assert.equal(await exchange(endpoint.url, ''), 'HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n');
  } finally {
    await endpoint.close();
  }
});

test('an endpoint that throws answers 500 without its message (which may quote a value), tells onError, and serves the next request', async () => {
  const errors: string[] = [];
  let calls = 0;
  const endpoint = await startHttpEndpoint({ host: '127.0.0.1', port: 0 }, {
    ...fixed,
    metrics: () => {
      if (++calls === 1) throw new Error('render failed');
      return { body: 'ok\n', contentType: 'text/plain' };
    },
  }, { onError: (error, path) => errors.push(`${path}: ${(error as Error).message}`) });
  try {
    assert.deepEqual(await get(`${endpoint.url}/metrics`), { status: 500, body: 'internal error (the daemon logged it)\n' });
    assert.deepEqual(errors, ['/metrics: render failed']);
    assert.deepEqual(await get(`${endpoint.url}/metrics`), { status: 200, body: 'ok\n' });
  } finally {
    await endpoint.close();
  }
});
