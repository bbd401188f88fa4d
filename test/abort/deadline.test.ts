import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { AbortFanout } from '../../src/abort/fanout.js';
import { DeadlineEnded, MAX_TIMER_MS, runWithin, startDeadline, untilAborted } from '../../src/abort/deadline.js';
import { CheckError } from '../../src/checkers/checker.js';
import { withDeadline } from '../../src/checkers/deadline.js';

// A garbage collector the test can force, as `node --expose-gc` gives one.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Resolves when `signal` aborts, or with 'still waiting' after `ms` (a bounded wait). */
function abortedWithin(signal: AbortSignal, ms: number): Promise<'aborted' | 'still waiting'> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve('still waiting'), ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), resolve('aborted')), { once: true });
  });
}

test('a deadline fires at its time while the GC runs, with no reference kept but its signal', async () => {
  const parent = new AbortController();
  const { signal } = startDeadline(200, parent.signal);
  const collector = setInterval(gc, 10);
  try {
    assert.equal(await abortedWithin(signal, 30_000), 'aborted');
    assert.equal((signal.reason as DOMException).name, 'TimeoutError');
  } finally {
    clearInterval(collector);
  }
});

test('the parent aborting ends it at once (not timed out); clear() lets go of the parent', async () => {
  const parent = new AbortController();
  const deadline = startDeadline(60_000, parent.signal);
  assert.equal(getEventListeners(parent.signal, 'abort').length, 1);
  parent.abort(new Error('stopping'));
  assert.equal(deadline.signal.aborted, true);
  assert.equal(deadline.timedOut, false);
  assert.equal((deadline.signal.reason as Error).message, 'stopping');
  deadline.clear();
  assert.equal(getEventListeners(parent.signal, 'abort').length, 0);

  const other = new AbortController();
  const cleared = startDeadline(50, other.signal);
  cleared.clear();
  assert.equal(getEventListeners(other.signal, 'abort').length, 0);
  assert.equal(await abortedWithin(cleared.signal, 300), 'still waiting', 'a cleared deadline never fires');

  const already = startDeadline(60_000, AbortSignal.abort());
  assert.equal(already.signal.aborted, true);
  already.clear();
});

test('a timeout longer than a timer can wait (30 days) waits instead of firing at once', async () => {
  const warnings: string[] = [];
  const onWarning = (warning: Error) => warnings.push(warning.name);
  process.on('warning', onWarning);
  const deadline = startDeadline(30 * 86_400_000);
  try {
    assert.ok(30 * 86_400_000 > MAX_TIMER_MS);
    assert.equal(await abortedWithin(deadline.signal, 100), 'still waiting');
    assert.deepEqual(warnings, []);
  } finally {
    deadline.clear();
    process.off('warning', onWarning);
  }
});

test('untilAborted gives up on work that never settles, and swallows its late failure', async () => {
  const controller = new AbortController();
  let fail!: (error: Error) => void;
  const never = new Promise<never>((_resolve, reject) => (fail = reject));
  const waiting = untilAborted(never, controller.signal);
  controller.abort(new Error('given up'));
  await assert.rejects(waiting, /given up/);
  fail(new Error('late')); // must not become an unhandled rejection
  assert.equal(await untilAborted(Promise.resolve(7), new AbortController().signal), 7);
});

test('withDeadline: the messages a user sees for a timeout and for a stop', async () => {
  const never = new Promise<never>(() => undefined);
  await assert.rejects(withDeadline(never, 1500, new AbortController().signal), new CheckError('timed out after 1s500ms'));
  const controller = new AbortController();
  const stopped = withDeadline(never, 60_000, controller.signal);
  controller.abort();
  await assert.rejects(stopped, new CheckError('aborted'));
  await assert.rejects(withDeadline(never, 60_000, AbortSignal.abort()), new CheckError('aborted'));
  await assert.rejects(withDeadline(Promise.reject(new CheckError('its own')), 60_000, new AbortController().signal), new CheckError('its own'));
});

test('runWithin hands the work its deadline: the work sees the abort, the caller a DeadlineEnded saying why', async () => {
  let seen: AbortSignal | undefined;
  const hanging = (signal: AbortSignal) => {
    seen = signal;
    return new Promise<never>(() => undefined);
  };
  await assert.rejects(runWithin(30, undefined, hanging), (error: unknown) => error instanceof DeadlineEnded && error.timedOut);
  assert.equal(seen?.aborted, true, 'the work was told at the deadline');
  const parent = new AbortController();
  const stopped = runWithin(60_000, parent.signal, hanging);
  parent.abort();
  await assert.rejects(stopped, (error: unknown) => error instanceof DeadlineEnded && !error.timedOut);
  assert.equal(getEventListeners(parent.signal, 'abort').length, 0, 'no listener left on the parent');
  let started = false;
  await assert.rejects(
    runWithin(60_000, AbortSignal.abort(), async () => {
      started = true;
    }),
    (error: unknown) => error instanceof DeadlineEnded && !error.timedOut,
  );
  assert.equal(started, false, 'nothing starts under an aborted parent');
  await assert.rejects(
    runWithin(60_000, undefined, () => {
      throw new Error('thrown before any await');
    }),
    /thrown before any await/,
  );
});

test('runWithin with abortWhenSettled stops what the work left in flight; without it, leaves it', async () => {
  const signals: AbortSignal[] = [];
  const keep = (signal: AbortSignal) => (signals.push(signal), Promise.resolve('answer'));
  assert.equal(await runWithin(60_000, undefined, keep, { abortWhenSettled: true }), 'answer');
  assert.equal(await runWithin(60_000, undefined, keep), 'answer');
  assert.deepEqual(signals.map((signal) => signal.aborted), [true, false]);
  // A failure of one request ends its siblings too.
  let sibling: AbortSignal | undefined;
  await assert.rejects(
    runWithin(
      60_000,
      undefined,
      async (signal) => {
        sibling = signal;
        throw new Error('one request failed');
      },
      { abortWhenSettled: true },
    ),
    /one request failed/,
  );
  assert.equal(sibling?.aborted, true);
});

test('withDeadline gives the work the deadline signal when it asks for one', async () => {
  let seen: AbortSignal | undefined;
  await assert.rejects(
    withDeadline((signal) => ((seen = signal), new Promise<never>(() => undefined)), 1200, new AbortController().signal),
    new CheckError('timed out after 1s200ms'),
  );
  assert.equal(seen?.aborted, true);
});

test('a fanout puts one listener on its parent however many children it has', () => {
  const parent = new AbortController();
  const fanout = new AbortFanout(parent.signal);
  const children = Array.from({ length: 50 }, () => fanout.child());
  assert.equal(getEventListeners(parent.signal, 'abort').length, 1);
  assert.equal(fanout.size, 50);
  children[0]!.release();
  assert.equal(fanout.size, 49);
  parent.abort(new Error('stop'));
  assert.equal(children[0]!.signal.aborted, false, 'a released child is left alone');
  assert.ok(children.slice(1).every((child) => child.signal.aborted && (child.signal.reason as Error).message === 'stop'));
  assert.equal(fanout.child().signal.aborted, true, 'a child of an aborted parent starts aborted');
  for (const child of children) child.release();
  fanout.dispose();
  assert.equal(getEventListeners(parent.signal, 'abort').length, 0);

  const own = new AbortFanout();
  const a = own.child();
  const b = own.child();
  b.release();
  own.abortAll();
  assert.deepEqual([a.signal.aborted, b.signal.aborted, own.size], [true, false, 0]);
});
