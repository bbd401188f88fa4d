import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { nextRunAfter } from '../../src/cron.js';
import { getJson, startDaemon, waitFor } from '../helpers/daemon-process.js';
import { makeRepository, PASSWORD, resticTime, tempDir } from '../helpers/restic-repos.js';

const SCHEDULE = '0 6,18 * * *';
const ZONE = 'Asia/Tokyo';

test('a real daemon runs a scheduled check at start and shows its next run (and an interval check\'s) in /status', async () => {
  const dir = await tempDir('rm-daemon-schedule-');
  const url = await makeRepository(join(dir, 'repo'), [{ time: resticTime(60_000) }]);
  const config = join(dir, 'config.yaml');
  await writeFile(
    config,
    [
      'listen: 127.0.0.1:0',
      'defaults:',
      `  url: ${url}`,
      '  max_age: 1h',
      `  extra_env: {RESTIC_PASSWORD: ${PASSWORD}}`,
      'repositories:',
      `  twice-a-day: {schedule: "${SCHEDULE}", time_zone: ${ZONE}}`,
      '  hourly: {interval: 1h}',
      '',
    ].join('\n'),
  );
  const daemon = await startDaemon(['--config', config]);
  try {
    type Entry = { name: string; status: string; checked_at: string; next_run: string | null };
    let status: Entry[] = [];
    await waitFor('both checks in /status', async () => {
      status = await getJson<Entry[]>(`${daemon.url}/status`);
      return status.length === 2;
    });
    const byName = Object.fromEntries(status.map((entry) => [entry.name, entry]));
    const scheduled = byName['twice-a-day']!;
    assert.equal(scheduled.status, 'up');
    // The run after the one at start: 06:00 or 18:00 in Tokyo (21:00 or 09:00 UTC).
    assert.equal(scheduled.next_run, new Date(nextRunAfter(SCHEDULE, ZONE, Date.parse(scheduled.checked_at))!).toISOString());
    assert.match(scheduled.next_run!, /T(21|09):00:00\.000Z$/);
    const hourly = byName.hourly!;
    const afterStart = Date.parse(hourly.next_run!) - Date.parse(hourly.checked_at);
    // One hour after the check began, plus up to 5 min of jitter (and the check's own few seconds).
    assert.ok(afterStart >= 3_600_000 - 1000 && afterStart <= 3_600_000 + 300_000 + 60_000, `next_run ${hourly.next_run} for a check at ${hourly.checked_at}`);
  } finally {
    const stopped = await daemon.stop();
    assert.equal(stopped.code, 0, daemon.stderr());
  }
});
