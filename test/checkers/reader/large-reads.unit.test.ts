import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ReaderError } from '../../../src/checkers/reader/errors.js';
import { LARGE_FILE_BYTES, LargeReads } from '../../../src/checkers/reader/large-reads.js';

/** A read that stays open until released, counting how many run at once. */
function reads() {
  let running = 0;
  let most = 0;
  const releases: Array<() => void> = [];
  const read = () =>
    new Promise<string>((resolve) => {
      running += 1;
      most = Math.max(most, running);
      releases.push(() => {
        running -= 1;
        resolve('read');
      });
    });
  return { read, releases, most: () => most };
}
const tick = () => new Promise((resolve) => setImmediate(resolve));
const live = new AbortController().signal;

test('small files are read side by side; large ones, and those of no known size, one at a time', async () => {
  const gate = new LargeReads();
  const small = reads();
  const smallDone = [1, 2, 3].map(() => gate.run(LARGE_FILE_BYTES, live, small.read));
  await tick();
  assert.equal(small.most(), 3);
  small.releases.forEach((release) => release());
  await Promise.all(smallDone);

  const large = reads();
  const largeDone = [LARGE_FILE_BYTES + 1, undefined, 64 * 2 ** 20].map((size) => gate.run(size, live, large.read));
  for (let turn = 0; turn < 3; turn++) {
    await tick();
    assert.equal(large.releases.length, turn + 1, `turn ${turn}`);
    large.releases[turn]!();
  }
  await Promise.all(largeDone);
  assert.equal(large.most(), 1);
});

test('a large read whose check is aborted while it waits leaves the queue, and the others go on', async () => {
  const gate = new LargeReads();
  const large = reads();
  const first = gate.run(undefined, live, large.read);
  const controller = new AbortController();
  const waiting = gate.run(undefined, controller.signal, large.read);
  const third = gate.run(undefined, live, large.read);
  controller.abort();
  await assert.rejects(waiting, (error: unknown) => error instanceof ReaderError && error.message === 'aborted');
  large.releases[0]!();
  await first;
  await tick();
  assert.equal(large.releases.length, 2, 'the third ran, the aborted one never did');
  large.releases[1]!();
  assert.equal(await third, 'read');
});

test('a large read that never settles gives up its turn when its check is aborted', async () => {
  const gate = new LargeReads();
  const controller = new AbortController();
  // A read stuck in the kernel: it never settles.
  void gate.run(undefined, controller.signal, () => new Promise<never>(() => {})).catch(() => {});
  const large = reads();
  const next = gate.run(undefined, live, large.read);
  await tick();
  assert.equal(large.releases.length, 0, 'the next waits while the stuck one holds the turn');
  controller.abort();
  await tick();
  assert.equal(large.releases.length, 1, 'the next runs once the stuck one\'s check is aborted');
  large.releases[0]!();
  assert.equal(await next, 'read');
});
