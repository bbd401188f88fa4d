// Byte cuts that become text: a child's stderr tail and a push target's answer are kept to a
// number of bytes, and neither may start or end with half a character (U+FFFD).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { utf8Start } from '../../src/process/run-process.js';
import { readCapped } from '../../src/push/http.js';

test("a stderr tail cut inside a character starts at the next one", () => {
  const bytes = Buffer.from('ab\u{1F525}cd'); // 2 + 4 + 2 bytes
  for (const from of [3, 4, 5]) assert.equal(bytes.subarray(utf8Start(bytes, from)).toString('utf8'), 'cd', String(from));
  assert.equal(bytes.subarray(utf8Start(bytes, 2)).toString('utf8'), '\u{1F525}cd');
  assert.equal(utf8Start(Buffer.from([0x80, 0x80, 0x80, 0x80, 0x41]), 0), 3, 'at most 3 continuation bytes are skipped');
});

test('an answer cut at the cap inside a character ends before it', async () => {
  let destroyed = false;
  const body = {
    async *[Symbol.asyncIterator]() {
      yield Buffer.from('ok \u{1F525}\u{1F525}'); // 3 + 4 + 4 bytes
    },
    destroy() {
      destroyed = true;
    },
  };
  assert.equal(await readCapped(body, 9), 'ok \u{1F525}');
  assert.ok(destroyed);
});
