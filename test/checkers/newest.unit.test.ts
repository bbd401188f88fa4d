import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Newest, newestOf } from '../../src/checkers/newest.js';

test('the newest of what was offered, and how many: ties keep the first, NaN is counted but never newest', () => {
  const newest = new Newest((item: { at: number; name: string }) => item.at);
  const empty = new Newest((n: number) => n);
  assert.deepEqual([empty.item, empty.count], [undefined, 0]);
  for (const item of [
    { at: Number.NaN, name: 'unreadable' },
    { at: 5, name: 'first five' },
    { at: 3, name: 'older' },
    { at: 5, name: 'second five' },
  ]) {
    newest.offer(item);
  }
  assert.equal(newest.item?.name, 'first five');
  assert.equal(newest.count, 4);
  assert.equal(newestOf([], (n: number) => n), undefined);
  assert.equal(newestOf([new Date(2), new Date(9), new Date(4)], (d) => d.getTime())?.getTime(), 9);
});
