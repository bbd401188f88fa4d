import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { cp, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { CheckError } from '../../../src/checkers/checker.js';
import { CLEAN_STOP_BOUND_MS } from '../../../src/cli/signals.js';
import { BuiltinResticChecker } from '../../../src/checkers/reader/checker.js';
import { ResticReader } from '../../../src/checkers/reader/reader.js';
import { descendantsOf } from '../../../src/process/process-tree.js';
import type { CheckResultJson } from '../../../src/run/result-json.js';
import { runCli } from '../../helpers/cli.js';
import { checkConfig } from '../../helpers/config.js';
import { rewriteKeyCost, type KeyCost } from '../../helpers/crafted-files.js';
import { startDaemon, waitFor, type DaemonProcess } from '../../helpers/daemon-process.js';
import { makeRepository, PASSWORD, tempDir } from '../../helpers/restic-repos.js';

/**
 * Key derivation with hostile key files, through the real CLI: a cost past the bound is
 * refused at once; a cost within it runs in a process of its own that a timeout or SIGTERM
 * kills, so it holds neither the exit nor the threads other checks need.
 */

/** N·r·p = 2^25, the most the reader allows: 10-15 s of CPU on a 2-core test machine. */
const SLOW: KeyCost = { N: 1024, r: 8, p: 4096 };

let root: string;
let base: string;

before(async () => {
  root = await tempDir('rm-reader-kdf-');
  base = await makeRepository(join(root, 'base'), [{ host: 'h1' }]);
});

/** A copy of the base repository whose key file asks scrypt for `cost`; returns it and its key's id. */
async function withCost(name: string, cost: KeyCost): Promise<{ url: string; key: string }> {
  const url = join(root, name);
  await cp(base, url, { recursive: true });
  const [key] = await rewriteKeyCost(url, cost);
  return { url, key: key! };
}

async function configFile(name: string, repositories: Record<string, { url: string; timeout: string }>, top = ''): Promise<string> {
  const lines = [top, 'defaults:', '  extra_env:', `    RESTIC_PASSWORD: ${PASSWORD}`, 'repositories:'];
  for (const [repository, { url, timeout }] of Object.entries(repositories)) lines.push(`  ${repository}:`, `    url: ${url}`, `    timeout: ${timeout}`, '    reader: builtin');
  const file = join(root, `${name}.yaml`);
  await writeFile(file, `${lines.join('\n')}\n`);
  return file;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const stat = existsSync(`/proc/${pid}/stat`) ? readFileSync(`/proc/${pid}/stat`, 'utf8') : '';
  return !/\) Z /.test(stat);
}

test("run with timeout 2s, a key file asking 1024 times restic's work (N=1024, r=8, p=131072): refused at once, naming it; the run exits", async () => {
  const { url, key } = await withCost('p131072', { N: 1024, r: 8, p: 131072 });
  const result = await runCli(['run', '-c', await configFile('p131072', { r: { url, timeout: '2s' } })], { timeoutMs: 60_000 });
  assert.equal(result.stdout, `DOWN r: check failed: key file keys/${key} asks scrypt for N·r·p = 1073741824 (N=1024, r=8, p=131072); at most 33554432 is allowed [not pushed (no push target)]\n`);
  assert.equal(result.code, 1);
});

test('status --json: p so large that OpenSSL refuses it, or parameters only OpenSSL refuses: the key file named, reader builtin', async () => {
  const huge = await withCost('p-huge', { N: 1024, r: 1, p: 536870911 });
  const openssl = await withCost('openssl-refuses', { N: 65536, r: 1, p: 1 });
  const result = await runCli(['status', '--json', '-c', await configFile('refused', { huge: { url: huge.url, timeout: '20s' }, openssl: { url: openssl.url, timeout: '20s' } })]);
  const rows = JSON.parse(result.stdout) as CheckResultJson[];
  assert.deepEqual(
    rows.map((row) => [row.name, row.status, row.reader, row.error]),
    [
      ['huge', 'down', 'builtin', `key file keys/${huge.key} asks scrypt for N·r·p = 549755812864 (N=1024, r=1, p=536870911); at most 33554432 is allowed`],
      ['openssl', 'down', 'builtin', `key file keys/${openssl.key} uses scrypt parameters the built-in reader cannot derive (N=65536, r=1, p=1)`],
    ],
  );
});

test('run with timeout 2s, a key file within the bound but slow: timed out, and the run ends with the check (the derivation is killed)', async () => {
  const { url } = await withCost('slow-run', SLOW);
  const started = Date.now();
  const result = await runCli(['run', '-c', await configFile('slow-run', { r: { url, timeout: '2s' } })], { timeoutMs: 60_000 });
  const ms = Date.now() - started;
  assert.equal(result.stdout, 'DOWN r: check failed: timed out after 2s [not pushed (no push target)]\n');
  assert.equal(result.code, 1);
  // The derivation alone takes 10-15 s here; before, the run waited it out.
  assert.ok(ms < 10_000, `the run took ${ms} ms`);
  console.log(`# run with a slow key and timeout 2s: exited after ${ms} ms`);
});

test('a healthy repository beside four whose key derivation is slow: up (their derivations hold no thread it needs)', async () => {
  const repositories: Record<string, { url: string; timeout: string }> = { healthy: { url: base, timeout: '15s' } };
  for (const index of [1, 2, 3, 4]) repositories[`slow${index}`] = { url: (await withCost(`slow-${index}`, SLOW)).url, timeout: '2s' };
  const result = await runCli(['status', '--json', '-c', await configFile('beside', repositories, 'concurrency: 5')], { timeoutMs: 60_000 });
  const rows = JSON.parse(result.stdout) as CheckResultJson[];
  assert.deepEqual(
    rows.map((row) => [row.name, row.status, row.error]),
    [
      ['healthy', 'up', null],
      ['slow1', 'down', 'timed out after 2s'],
      ['slow2', 'down', 'timed out after 2s'],
      ['slow3', 'down', 'timed out after 2s'],
      ['slow4', 'down', 'timed out after 2s'],
    ],
  );
});

test('SIGTERM to a daemon in the middle of a key derivation: exit 0 within 10 s, the derivation process gone', async () => {
  const { url } = await withCost('slow-daemon', SLOW);
  const config = await configFile('daemon', { r: { url, timeout: '1m' } }, 'listen: 127.0.0.1:0');
  const ms = await sigtermMidDerivation(await startDaemon(['-c', config]));
  assert.ok(ms < CLEAN_STOP_BOUND_MS, `took ${ms} ms to exit (the stated bound: ${CLEAN_STOP_BOUND_MS} ms)`);
  console.log(`# SIGTERM to exit mid-derivation: ${ms} ms`);
});

test("a daemon derives even keys of restic's default cost in its derivation process: SIGTERM ends it at once", async () => {
  // N=32768, r=8, p=4: a one-shot command derives it in its own process (scrypt-here.ts).
  const repositories: Record<string, { url: string; timeout: string }> = {};
  for (const index of [1, 2, 3, 4]) repositories[`default${index}`] = { url: (await withCost(`default-${index}`, { N: 32768, r: 8, p: 4 })).url, timeout: '1m' };
  await sigtermMidDerivation(await startDaemon(['-c', await configFile('daemon-default', repositories, 'listen: 127.0.0.1:0\nconcurrency: 1')]));
});

/** SIGTERM to `daemon` once its key derivation process runs: exit 0, that process gone. Returns the ms to exit. */
async function sigtermMidDerivation(daemon: DaemonProcess): Promise<number> {
  let derivations: number[] = [];
  try {
    await waitFor('the key derivation process', () => (derivations = descendantsOf(daemon.pid)).length > 0, 20_000);
  } catch (error) {
    await daemon.stop('SIGKILL');
    throw error;
  }
  const stopped = await daemon.stop('SIGTERM');
  assert.deepEqual([stopped.code, stopped.signal], [0, null], daemon.stderr());
  await waitFor('the derivation process to be gone', () => derivations.every((pid) => !alive(pid)), 5_000);
  return stopped.ms;
}

test('a derivation process that dies (the OOM killer, say): tried once more in a new one; a second death, the check down naming the key file', async () => {
  const { url, key } = await withCost('killed', SLOW);
  const checker = new BuiltinResticChecker();
  const checking = checker.check(checkConfig({ url, extraEnv: { RESTIC_PASSWORD: PASSWORD }, reader: 'builtin', timeoutMs: 60_000 }), { signal: new AbortController().signal, env: {} });
  const derivation = () => descendantsOf(process.pid).filter((pid) => existsSync(`/proc/${pid}/cmdline`) && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes("require('node:crypto')"));
  try {
    let first: number[] = [];
    await waitFor('the key derivation process', () => (first = derivation()).length > 0, 20_000);
    for (const pid of first) process.kill(pid, 'SIGKILL');
    let second: number[] = [];
    await waitFor('a second key derivation process', () => (second = derivation().filter((pid) => !first.includes(pid))).length > 0, 20_000);
    for (const pid of second) process.kill(pid, 'SIGKILL');
    await assert.rejects(checking, (error: unknown) => error instanceof CheckError && error.reason === `key file keys/${key}: key derivation failed: its process ended (SIGKILL)`);
  } finally {
    await checking.catch(() => undefined);
    await checker.close();
  }
});

test('an idle derivation process that was killed meanwhile is not used again: the next key gets a new one', async () => {
  const other = join(root, 'other');
  await cp(base, other, { recursive: true });
  // restic's default cost is derived in this process: here every key goes to the derivation process.
  const checker = new BuiltinResticChecker({ reader: new ResticReader({ derivation: { maxWorkHere: 0 } }) });
  const check = (url: string) => checker.check(checkConfig({ url, extraEnv: { RESTIC_PASSWORD: PASSWORD }, reader: 'builtin' }), { signal: new AbortController().signal, env: {} });
  try {
    assert.equal((await check(base)).snapshots, 1);
    const idle = descendantsOf(process.pid).filter((pid) => existsSync(`/proc/${pid}/cmdline`) && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes("require('node:crypto')"));
    assert.equal(idle.length, 1);
    process.kill(idle[0]!, 'SIGKILL');
    // Reaped, not just dead: a zombie is dead to alive() while this process has not yet
    // handled its exit (on a loaded machine the next check came first, and was handed it).
    await waitFor('the idle process to be reaped', () => !existsSync(`/proc/${idle[0]}`), 5_000);
    assert.equal((await check(other)).snapshots, 1);
  } finally {
    await checker.close();
  }
});
