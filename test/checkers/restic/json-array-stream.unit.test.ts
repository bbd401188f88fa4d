import assert from 'node:assert/strict';
import { test } from 'node:test';
import { JsonArrayStream } from '../../../src/checkers/restic/json-array-stream.js';

function read(chunks: Array<string | Buffer>): unknown[] {
  const out: unknown[] = [];
  const stream = new JsonArrayStream((element) => out.push(element));
  for (const chunk of chunks) stream.push(chunk);
  stream.end();
  return out;
}

test('objects are handed over one by one, however the text is cut into chunks', () => {
  const text = '[{"time":"a","s":"br}ace\\"q{"},\n {"n":[1,{"x":2}]} ,{}]\n';
  const whole = read([text]);
  assert.deepEqual(whole, [{ time: 'a', s: 'br}ace"q{' }, { n: [1, { x: 2 }] }, {}]);
  for (let size = 1; size < 8; size++) {
    const chunks = [];
    for (let i = 0; i < text.length; i += size) chunks.push(text.slice(i, i + size));
    assert.deepEqual(read(chunks), whole, `chunks of ${size}`);
  }
});

test('a multi-byte character split between two chunks survives', () => {
  const bytes = Buffer.from('[{"host":"zürich-☃"}]');
  const cut = bytes.indexOf(0xe2) + 1; // inside the snowman
  assert.deepEqual(read([bytes.subarray(0, cut), bytes.subarray(cut)]), [{ host: 'zürich-☃' }]);
});

test('an empty list is fine; anything that is not a list of objects is an error', () => {
  assert.deepEqual(read(['  [ ]  ']), []);
  const cases: Array<[string, string]> = [
    ['', 'empty output'],
    ['null', 'not a JSON list'],
    ['{"a":1}', 'not a JSON list'],
    ['[1,2]', 'a list element is not an object'],
    ['[{"a":1}{"b":2}]', 'malformed JSON list'],
    ['[{"a":1},,{}]', 'malformed JSON list'],
    ['[{"a":1},]', 'a list element is not an object'],
    ['[{"a":1}', 'the JSON list ends early'],
    ['[{"a":tru}]', 'malformed JSON object'],
    ['[{}] trailing', 'text after the end of the JSON list'],
  ];
  for (const [text, message] of cases) assert.throws(() => read([text]), { message }, JSON.stringify(text));
});

test('an element over 1 MiB is refused while it streams in', () => {
  const stream = new JsonArrayStream(() => assert.fail('no element is complete'));
  stream.push('[{"x":"');
  const chunk = 'y'.repeat(64 * 1024);
  assert.throws(() => {
    for (let i = 0; i < 20; i++) stream.push(chunk);
  }, { message: 'a list element is larger than 1 MiB' });
});
