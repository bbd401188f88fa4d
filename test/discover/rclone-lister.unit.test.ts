import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_RCLONE_LISTING_BYTES, rcloneLister } from '../../src/discover/listers.js';
import type { ProcessOptions, ProcessResult } from '../../src/process/run-process.js';
import { checkConfig } from '../helpers/config.js';

test('rclone discovery: a folder listing is capped (16 MiB) and past it the location fails, naming the folder', async () => {
  const asked: ProcessOptions[] = [];
  const run = async (_command: string, _args: readonly string[], options: ProcessOptions): Promise<ProcessResult> => {
    asked.push(options);
    return { code: null, signal: 'SIGTERM', stdout: '', stderrTail: '', timedOut: false, aborted: false, overflow: true };
  };
  const list = rcloneLister(checkConfig({ name: 'found', url: 'rclone:remote:backups' }), { signal: new AbortController().signal, env: {} }, { run });
  await assert.rejects(list(['host1']), { reason: 'rclone listed more than 16 MiB of names in remote:backups/host1/: point discover at a narrower prefix' });
  assert.equal(asked[0]!.maxStdoutBytes, MAX_RCLONE_LISTING_BYTES);
});
