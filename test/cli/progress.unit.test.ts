import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Checker } from '../../src/checkers/checker.js';
import { main } from '../../src/cli/main.js';
import { createProgress } from '../../src/cli/progress.js';
import { tempDir } from '../helpers/restic-repos.js';

const CLEAR = '\r\u001b[K';

function recorder(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, stream: { write: (text: string) => writes.push(text), isTTY } };
}

test('on a terminal: the count is drawn at once, redrawn as checks end, and cleared at the end', () => {
  const { writes, stream } = recorder(true);
  const progress = createProgress(stream, 3);
  progress.tick();
  progress.tick();
  progress.tick();
  progress.done();
  assert.deepEqual(writes, [`${CLEAR}0/3 checked`, `${CLEAR}1/3 checked`, `${CLEAR}2/3 checked`, `${CLEAR}3/3 checked`, CLEAR]);
});

test('a log line while the count shows: the count is cleared before it and drawn again after', () => {
  const { writes, stream } = recorder(true);
  const progress = createProgress(stream, 2);
  progress.tick();
  progress.sink.write('{"level":40,"msg":"something"}\n');
  progress.done();
  progress.sink.write('{"level":40,"msg":"after the end"}\n');
  assert.deepEqual(writes, [
    `${CLEAR}0/2 checked`,
    `${CLEAR}1/2 checked`,
    CLEAR,
    '{"level":40,"msg":"something"}\n',
    `${CLEAR}1/2 checked`,
    CLEAR,
    '{"level":40,"msg":"after the end"}\n',
  ]);
});

test('not a terminal (a pipe, a file, cron mail): nothing of it, log lines pass through untouched', () => {
  for (const isTTY of [false, undefined]) {
    const writes: string[] = [];
    const progress = createProgress({ write: (text: string) => writes.push(text), ...(isTTY !== undefined && { isTTY }) }, 5);
    progress.tick();
    progress.sink.write('line\n');
    progress.done();
    assert.deepEqual(writes, ['line\n']);
  }
});

const checker: Checker = {
  mode: 'restic',
  kind: 'restic',
  supports: () => true,
  check: async () => ({ latest: new Date(Date.now() - 3_600_000) }),
};

async function run(command: 'run' | 'status', stderrIsTTY: boolean) {
  const dir = await tempDir('rm-progress-');
  const config = join(dir, 'config.yaml');
  await writeFile(config, `defaults:\n  url: /srv/{{ .Name }}\nrepositories:\n${['a', 'b', 'c', 'd'].map((name) => `  ${name}:\n`).join('')}`);
  // One transcript of both streams, in order, as a terminal would show them.
  const transcript: Array<['out' | 'err', string]> = [];
  const code = await main([command, '-c', config], {
    stdout: { write: (text: string) => transcript.push(['out', text]), isTTY: false },
    stderr: { write: (text: string) => transcript.push(['err', text]), isTTY: stderrIsTTY },
    env: {},
    now: () => new Date(),
    signal: new AbortController().signal,
    checkers: [checker],
    pushTargets: [],
  });
  return { code, transcript };
}

for (const command of ['run', 'status'] as const) {
  test(`${command} on a terminal counts the checks on stderr and clears the count before its output`, async () => {
    const { code, transcript } = await run(command, true);
    assert.equal(code, 0);
    const err = transcript.filter(([stream]) => stream === 'err').map(([, text]) => text);
    assert.deepEqual(err, [...[0, 1, 2, 3, 4].map((n) => `${CLEAR}${n}/4 checked`), CLEAR]);
    const firstOut = transcript.findIndex(([stream]) => stream === 'out');
    assert.ok(firstOut > 0);
    assert.deepEqual(transcript[firstOut - 1], ['err', CLEAR], 'the count is gone before the output starts');
  });

  test(`${command} with stderr not a terminal writes nothing on stderr`, async () => {
    const { code, transcript } = await run(command, false);
    assert.equal(code, 0);
    assert.deepEqual(transcript.filter(([stream]) => stream === 'err'), []);
  });
}
