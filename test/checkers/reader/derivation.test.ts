import assert from 'node:assert/strict';
import { scryptSync } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { KeyDerivation } from '../../../src/checkers/reader/derivation.js';
import { ReaderError } from '../../../src/checkers/reader/errors.js';
import { ScryptRefused, type ScryptRequest } from '../../../src/checkers/reader/scrypt-process.js';
import { descendantsOf } from '../../../src/process/process-tree.js';
import { waitFor } from '../../helpers/daemon-process.js';

/**
 * Key derivations run side by side in one process (issue 23: each Node process is some
 * 40 MiB resident before it derives anything), and a derivation whose check ends still
 * ends at once: it is abandoned, and its process killed once the others in it are done. A key of restic's default cost is derived in this process instead
 * (the 40 MiB of a second process spared, issue 23 "reader memory"), two at most at a time.
 */

/** About a second of scrypt here: long enough to see two run at once. */
const request = (password: string, p: number): ScryptRequest => ({ password, salt: Buffer.from(`salt-${password}`), N: 1024, r: 8, p, maxmem: 64 * 1024 * 1024 });
const expected = (q: ScryptRequest) => scryptSync(q.password, q.salt, 64, { N: q.N, r: q.r, p: q.p, maxmem: q.maxmem });

/** This process's key derivation processes (ScryptProcess's program reads node:crypto). */
const derivationProcesses = () =>
  descendantsOf(process.pid).filter((pid) => existsSync(`/proc/${pid}/cmdline`) && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes("require('node:crypto')"));

/** Derivation processes started since `before` (one an earlier test killed may not be reaped yet). */
const startedSince = (before: number[]) => derivationProcesses().filter((pid) => !before.includes(pid));

test('two derivations at once run in one process, and each gets its own key', async () => {
  const derivation = new KeyDerivation({ concurrency: 2 });
  const [a, b] = [request('alpha', 512), request('beta', 512)];
  const never = new AbortController().signal;
  const before = derivationProcesses();
  try {
    const both = Promise.all([derivation.derive(a, never), derivation.derive(b, never)]);
    let seen: number[] = [];
    await waitFor('a derivation process', () => (seen = startedSince(before)).length > 0, 20_000);
    const [keyA, keyB] = await both;
    assert.equal(seen.length, 1, `derivation processes: ${seen.join(', ')}`);
    assert.deepEqual([keyA, keyB], [expected(a), expected(b)]);
  } finally {
    derivation.close();
  }
});

test('a derivation whose check ends is abandoned: the other one in it finishes there, new ones go to a new process, and the old one is then killed', async () => {
  const derivation = new KeyDerivation({ concurrency: 2 });
  // About a minute of scrypt: the abort ends it first.
  const slow = request('slow', 16384);
  // Several seconds: still running when the slow one is abandoned and the later one is done.
  const other = request('other', 2048);
  const stopping = new AbortController();
  const before = derivationProcesses();
  try {
    const slowKey = derivation.derive(slow, stopping.signal);
    let otherDone = false;
    const otherKey = derivation.derive(other, new AbortController().signal).finally(() => (otherDone = true));
    let first: number[] = [];
    await waitFor('the derivation process', () => (first = startedSince(before)).length > 0, 20_000);
    assert.equal(first.length, 1);
    assert.equal(otherDone, false, 'the other derivation is still running in that process when the slow one is abandoned');
    stopping.abort();
    await assert.rejects(slowKey, (error: unknown) => error instanceof ReaderError && error.message === 'aborted');
    // A derivation asked for now runs in a new process, beside the one that is retiring.
    const later = request('later', 1);
    assert.deepEqual(await derivation.derive(later, new AbortController().signal), expected(later));
    const now = startedSince(before);
    assert.equal(now.filter((pid) => !first.includes(pid)).length, 1, `derivation processes: ${now.join(', ')}`);
    assert.equal(otherDone, false);
    assert.ok(now.includes(first[0]!), 'the first process lives on while the other derivation in it runs');
    // The other was not started again elsewhere: it finished in the first process, which then ended.
    assert.deepEqual(await otherKey, expected(other));
    await waitFor('the first process to be gone', () => first.every((pid) => !derivationProcesses().includes(pid)), 5_000);
  } finally {
    derivation.close();
  }
});

test('a derivation alone in its process, abandoned, kills the process at once', async () => {
  const derivation = new KeyDerivation({ concurrency: 2 });
  const stopping = new AbortController();
  const before = derivationProcesses();
  try {
    const slowKey = derivation.derive(request('slow-alone', 16384), stopping.signal);
    let first: number[] = [];
    await waitFor('the derivation process', () => (first = startedSince(before)).length > 0, 20_000);
    stopping.abort();
    await assert.rejects(slowKey, (error: unknown) => error instanceof ReaderError && error.message === 'aborted');
    await waitFor('the process to be gone', () => first.every((pid) => !derivationProcesses().includes(pid)), 5_000);
  } finally {
    derivation.close();
  }
});

test('the derivation process killed from outside (the OOM killer): the derivations in it run once more in a new one and give their keys', async () => {
  const derivation = new KeyDerivation({ concurrency: 2 });
  const [a, b] = [request('killed-a', 512), request('killed-b', 512)];
  const never = new AbortController().signal;
  const before = derivationProcesses();
  try {
    const both = Promise.all([derivation.derive(a, never), derivation.derive(b, never)]);
    let first: number[] = [];
    await waitFor('the derivation process', () => (first = startedSince(before)).length > 0, 20_000);
    process.kill(first[0]!, 'SIGKILL');
    assert.deepEqual(await both, [expected(a), expected(b)]);
  } finally {
    derivation.close();
  }
});

test('a key needing more memory than restic ever asks (128 MiB) is derived in a process of its own', async () => {
  const derivation = new KeyDerivation({ concurrency: 2 });
  const big: ScryptRequest = { password: 'big', salt: Buffer.from('salt-big'), N: 131072, r: 8, p: 1, maxmem: 256 * 1024 * 1024 };
  const small = request('beside-big', 512);
  const never = new AbortController().signal;
  const before = derivationProcesses();
  try {
    const both = Promise.all([derivation.derive(big, never), derivation.derive(small, never)]);
    await waitFor('two derivation processes', () => startedSince(before).length === 2, 20_000);
    assert.deepEqual(await both, [expected(big), expected(small)]);
    await waitFor('the big one\'s process to end with its derivation', () => startedSince(before).length <= 1, 5_000);
  } finally {
    derivation.close();
  }
});

/** restic's default cost (N=32768, r=8, p=1): derived in this process. */
const cheap = (password: string): ScryptRequest => ({ password, salt: Buffer.from(`salt-${password}`), N: 32768, r: 8, p: 1, maxmem: 64 * 1024 * 1024 });

test("a key of restic's default cost is derived in this process: no derivation process starts, the key is scrypt's", async () => {
  const derivation = new KeyDerivation({ concurrency: 2 });
  const [a, b] = [cheap('alpha'), cheap('beta')];
  const never = new AbortController().signal;
  const before = derivationProcesses();
  try {
    const keys = await Promise.all([derivation.derive(a, never), derivation.derive(b, never)]);
    assert.deepEqual(keys, [expected(a), expected(b)]);
    assert.deepEqual(startedSince(before), []);
  } finally {
    derivation.close();
  }
});

test('a third cheap derivation at once goes to the derivation process: two of libuv’s four threads stay free for file reads', async () => {
  const derivation = new KeyDerivation({ concurrency: 3 });
  const requests = [cheap('one'), cheap('two'), cheap('three')];
  const never = new AbortController().signal;
  const before = derivationProcesses();
  try {
    const all = Promise.all(requests.map((request) => derivation.derive(request, never)));
    let seen: number[] = [];
    await waitFor('a derivation process', () => (seen = startedSince(before)).length > 0, 20_000);
    assert.equal(seen.length, 1);
    assert.deepEqual(await all, requests.map(expected));
  } finally {
    derivation.close();
  }
});

test('an in-process derivation whose check ends answers aborted at once; the next one still derives', async () => {
  const derivation = new KeyDerivation({ concurrency: 2 });
  const stopping = new AbortController();
  const before = derivationProcesses();
  try {
    const stopped = derivation.derive(cheap('stopped'), stopping.signal);
    stopping.abort();
    await assert.rejects(stopped, (error: unknown) => error instanceof ReaderError && error.message === 'aborted');
    const next = cheap('next');
    assert.deepEqual(await derivation.derive(next, new AbortController().signal), expected(next));
    assert.deepEqual(startedSince(before), []);
  } finally {
    derivation.close();
  }
});

test('parameters OpenSSL refuses, derived in this process (N=2^18, r=1): ScryptRefused, before any work', async () => {
  const derivation = new KeyDerivation({ concurrency: 2 });
  const before = derivationProcesses();
  try {
    await assert.rejects(derivation.derive({ ...cheap('refused'), N: 2 ** 18, r: 1 }, new AbortController().signal), ScryptRefused);
    assert.deepEqual(startedSince(before), []);
  } finally {
    derivation.close();
  }
});

test('the derivation process gives scrypt memory back: N=16384 derivations one after another leave it no larger', async () => {
  const derivation = new KeyDerivation({ concurrency: 2 });
  const never = new AbortController().signal;
  // 16 MiB each (N=16384, r=8): below glibc's dynamic mmap threshold once one was freed.
  const small = (password: string): ScryptRequest => ({ ...cheap(password), N: 16384 });
  const before = derivationProcesses();
  const rssKiB = (pid: number) => Number(/^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
  try {
    await Promise.all([derivation.derive(small('a0'), never), derivation.derive(small('b0'), never)]);
    const [pid] = startedSince(before);
    assert.ok(pid !== undefined, 'an N=16384 key goes to the derivation process');
    const first = rssKiB(pid);
    for (let round = 1; round <= 6; round++) await Promise.all([derivation.derive(small(`a${round}`), never), derivation.derive(small(`b${round}`), never)]);
    const after = rssKiB(pid);
    // Kept in the threads' malloc arenas, it grew by 16 MiB per libuv thread (64 MiB measured).
    assert.ok(after - first < 16 * 1024, `the derivation process grew from ${first} to ${after} KiB`);
  } finally {
    derivation.close();
  }
});
