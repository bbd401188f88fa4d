import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { test } from 'node:test';
import { installSignals } from '../../src/cli/signals.js';

function setUp(hangupReloads: boolean) {
  const source = new EventEmitter();
  const calls: string[] = [];
  let trees = 2;
  const signals = installSignals(source, {
    hangupReloads,
    trees: { killAll: () => (calls.push('killAll'), trees) },
    stderr: { write: (text: string) => calls.push(`stderr ${text}`) },
    exit: (code) => calls.push(`exit ${code}`),
    now: () => 1_700_000_000_000,
  });
  const send = (signal: NodeJS.Signals) => source.emit(signal, signal);
  return { signals, calls, send, setTrees: (n: number) => (trees = n) };
}

test('the first SIGTERM asks for a clean stop; the second kills every tree, then exits 143', () => {
  const { signals, calls, send } = setUp(false);
  send('SIGTERM');
  assert.equal(signals.signal.aborted, true);
  assert.deepEqual(calls, []);
  send('SIGTERM');
  assert.deepEqual(calls, [
    'killAll',
    'stderr {"level":50,"time":1700000000000,"name":"restic-monitor","msg":"SIGTERM again while stopping: killed 2 process trees, exiting now"}\n',
    'exit 143',
  ]);
});

test('any mix of SIGINT and SIGTERM counts; the exit code is 128 + the second signal', () => {
  const { calls, send, setTrees } = setUp(true);
  setTrees(1);
  send('SIGTERM');
  send('SIGINT');
  assert.deepEqual(calls.at(-1), 'exit 130');
  assert.match(calls[1]!, /"msg":"SIGINT again while stopping: killed 1 process tree, exiting now"/);
});

test('outside the daemon SIGHUP stops like SIGTERM, and a second one forces the exit (129)', () => {
  const { signals, calls, send } = setUp(false);
  let hangups = 0;
  signals.hangups.on('SIGHUP', () => hangups++);
  send('SIGHUP');
  assert.equal(signals.signal.aborted, true);
  send('SIGHUP');
  assert.equal(calls.at(-1), 'exit 129');
  assert.equal(hangups, 0);
});

test('in the daemon SIGHUP reloads; one sent before the daemon listens is delivered once it does', async () => {
  const { signals, calls, send } = setUp(true);
  send('SIGHUP');
  send('SIGHUP');
  assert.equal(signals.signal.aborted, false);
  let hangups = 0;
  signals.hangups.on('SIGHUP', () => hangups++);
  await Promise.resolve();
  assert.equal(hangups, 1, 'the early ones become one reload');
  send('SIGHUP');
  assert.equal(hangups, 2);
  // Once stopping, a reload makes no sense: SIGHUP is ignored.
  send('SIGTERM');
  send('SIGHUP');
  assert.equal(hangups, 2);
  assert.deepEqual(calls, []);
});

test('signals the entry point held while the program loaded are handled in order, as if they came now', async () => {
  const source = new EventEmitter();
  const calls: string[] = [];
  const options = {
    trees: { killAll: () => (calls.push('killAll'), 0) },
    stderr: { write: (text: string) => calls.push(`stderr ${text}`) },
    exit: (code: number) => calls.push(`exit ${code}`),
    now: () => 1_700_000_000_000,
  };
  // A SIGHUP to the daemon: a reload, delivered once the daemon listens; nothing stops.
  const daemon = installSignals(source, { ...options, hangupReloads: true, earlier: ['SIGHUP'] });
  assert.equal(daemon.signal.aborted, false);
  let hangups = 0;
  daemon.hangups.on('SIGHUP', () => hangups++);
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(hangups, 1);
  // SIGTERM then SIGINT to a run: the clean stop, then "now".
  const run = installSignals(source, { ...options, hangupReloads: false, earlier: ['SIGTERM', 'SIGINT'] });
  assert.equal(run.signal.aborted, true);
  assert.deepEqual(calls, ['killAll', 'stderr {"level":50,"time":1700000000000,"name":"restic-monitor","msg":"SIGINT again while stopping: killed 0 process trees, exiting now"}\n', 'exit 130']);
});
