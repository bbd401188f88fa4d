import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { test } from 'node:test';
import { ConnectionCap } from '../../src/http/connections.js';

/** A socket stand-in: destroy() closes it, as a net.Socket's does. */
class FakeConnection extends EventEmitter {
  destroyed = false;
  constructor(readonly name: string) {
    super();
  }
  destroy(): void {
    this.destroyed = true;
    this.emit('close');
  }
}

const open = (...names: string[]) => names.map((name) => new FakeConnection(name));
const closed = (connections: readonly FakeConnection[]) => connections.filter((connection) => connection.destroyed).map((connection) => connection.name);

test('at the cap a new connection gets in: the oldest one without a response in progress is closed for it', () => {
  const cap = new ConnectionCap(3);
  const [a, b, c, d, e] = open('a', 'b', 'c', 'd', 'e');
  for (const connection of [a!, b!, c!]) cap.admit(connection);
  assert.equal(cap.size, 3);
  // a is being answered: b (a half-sent request, say) goes instead.
  cap.responding(a!);
  cap.admit(d!);
  assert.deepEqual(closed([a!, b!, c!, d!]), ['b']);
  assert.equal(cap.size, 3);
  // a's response ended: it counts as just served, so c is now the least recently served.
  cap.done(a!);
  cap.admit(e!);
  assert.deepEqual(closed([a!, b!, c!, d!, e!]), ['b', 'c']);
  assert.equal(cap.size, 3);
});

test('an idle keep-alive that was served outlives connections that never finished a request', () => {
  const cap = new ConnectionCap(2);
  const [scraper, stalled, newcomer] = open('scraper', 'stalled', 'newcomer');
  cap.admit(scraper!);
  cap.admit(stalled!);
  cap.responding(scraper!);
  cap.done(scraper!);
  cap.admit(newcomer!);
  assert.deepEqual(closed([scraper!, stalled!, newcomer!]), ['stalled']);
});

test('when every connection is mid-response the oldest goes; a closed connection frees its slot', () => {
  const cap = new ConnectionCap(2);
  const [a, b, c, d] = open('a', 'b', 'c', 'd');
  cap.admit(a!);
  cap.admit(b!);
  cap.responding(a!);
  cap.responding(b!);
  cap.admit(c!);
  assert.deepEqual(closed([a!, b!, c!]), ['a']);
  // b's client leaves by itself: d needs no room made.
  b!.emit('close');
  assert.equal(cap.size, 1);
  cap.admit(d!);
  assert.deepEqual(closed([a!, b!, c!, d!]), ['a']);
  assert.equal(cap.size, 2);
  // Reports about connections already gone change nothing.
  cap.done(a!);
  cap.responding(b!);
  assert.equal(cap.size, 2);
});
