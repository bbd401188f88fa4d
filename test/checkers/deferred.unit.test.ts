import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Checker, Observation } from '../../src/checkers/checker.js';
import { Deferred } from '../../src/checkers/deferred.js';
import type { Check } from '../../src/config/types.js';

test('a checker whose module failed to load tries again at the next check, not never', async () => {
  const observation = { snapshots: [] } as unknown as Observation;
  const loaded = { kind: 'local', mode: 'fast', supports: () => true, check: async () => observation } as unknown as Checker;
  let loads = 0;
  const deferred = new Deferred('local', 'fast', async () => {
    loads += 1;
    if (loads === 1) throw new Error('EMFILE: too many open files');
    return loaded;
  }, () => true);
  const check = { name: 'one', url: '/srv/one' } as unknown as Check;
  await assert.rejects(deferred.check(check, {} as never), /EMFILE/);
  assert.equal(await deferred.check(check, {} as never), observation);
  assert.equal(await deferred.check(check, {} as never), observation);
  assert.equal(loads, 2, 'loaded again once, then kept');
});
