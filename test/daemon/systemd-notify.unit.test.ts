import assert from 'node:assert/strict';
import { test } from 'node:test';
import { notifyReady, NOTIFY_TIMEOUT_MS } from '../../src/daemon/systemd-notify.js';
import { SpawnError, type ProcessOptions, type ProcessResult, type RunProcess } from '../../src/process/run-process.js';

const ok: ProcessResult = { code: 0, signal: null, stdout: '', stderrTail: '', timedOut: false, aborted: false, overflow: false };

/** A RunProcess that records its calls and answers `result` (or throws it). */
function fakeRun(result: ProcessResult | Error) {
  const calls: Array<{ command: string; args: readonly string[]; options: ProcessOptions }> = [];
  const run: RunProcess = async (command, args, options) => {
    calls.push({ command, args, options });
    if (result instanceof Error) throw result;
    return result;
  };
  return { run, calls };
}

const env = { NOTIFY_SOCKET: '/run/systemd/notify', PATH: '/usr/bin:/bin', RESTIC_PASSWORD: 'secret-pw', AWS_SECRET_ACCESS_KEY: 'secret-key' };

test('without NOTIFY_SOCKET (not a Type=notify unit) nothing is run', async () => {
  const { run, calls } = fakeRun(ok);
  assert.equal(await notifyReady({ env: { PATH: '/usr/bin' }, run }), undefined);
  assert.equal(await notifyReady({ env: { NOTIFY_SOCKET: '', PATH: '/usr/bin' }, run }), undefined);
  assert.deepEqual(calls, []);
});

test('with NOTIFY_SOCKET: systemd-notify --ready, bounded, given NOTIFY_SOCKET and PATH and nothing else', async () => {
  const { run, calls } = fakeRun(ok);
  const stop = new AbortController();
  assert.equal(await notifyReady({ env, run, signal: stop.signal }), undefined);
  assert.equal(calls.length, 1);
  const [{ command, args, options }] = calls as [(typeof calls)[0]];
  assert.equal(command, 'systemd-notify');
  assert.deepEqual(args, ['--ready']);
  assert.deepEqual(options.env, { NOTIFY_SOCKET: '/run/systemd/notify', PATH: '/usr/bin:/bin' });
  assert.equal(options.timeoutMs, NOTIFY_TIMEOUT_MS);
  assert.equal(options.signal, stop.signal);
});

test('each way it can fail is one line saying why; none rejects', async () => {
  const cases: Array<[ProcessResult | Error, string | undefined]> = [
    [{ ...ok, code: 1, stderrTail: 'Failed to notify init system: Connection refused\n' }, 'systemd-notify --ready failed (exit 1): Failed to notify init system: Connection refused'],
    [{ ...ok, code: 1 }, 'systemd-notify --ready failed (exit 1)'],
    [{ ...ok, code: null, signal: 'SIGKILL' }, 'systemd-notify --ready failed (signal SIGKILL)'],
    [{ ...ok, code: null, signal: 'SIGKILL', timedOut: true }, 'systemd-notify --ready did not end within 10s'],
    // The daemon is stopping: there is nothing left to tell systemd.
    [{ ...ok, code: null, signal: 'SIGTERM', aborted: true }, undefined],
    [new SpawnError('systemd-notify', 'ENOENT'), 'no "systemd-notify" on PATH'],
    [new SpawnError('systemd-notify', 'EACCES'), 'cannot start systemd-notify (EACCES)'],
  ];
  for (const [result, expected] of cases) {
    const { run } = fakeRun(result);
    assert.equal(await notifyReady({ env, run }), expected, JSON.stringify(result));
  }
});
