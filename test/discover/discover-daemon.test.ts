// The daemon discovers at start and on SIGHUP: found checks join the schedule (and /status,
// /metrics), unmonitored repositories show there too, and a location that stops answering
// is a down row while what it held stays scheduled.
import assert from 'node:assert/strict';
import { cp, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { CheckResultJson, UnmonitoredJson } from '../../src/run/result-json.js';
import { getJson, startDaemon, waitFor, type DaemonProcess } from '../helpers/daemon-process.js';
import { makeRepository, tempDir } from '../helpers/restic-repos.js';

let dir: string;
let daemon: DaemonProcess | undefined;

before(async () => {
  dir = await tempDir('rm-discover-daemon-');
  await makeRepository(join(dir, 'checked', 'alpha'), [{}]);
  // A copy of a repository is a repository: cheaper than another key derivation.
  await cp(join(dir, 'checked', 'alpha'), join(dir, 'other', 'orphan'), { recursive: true });
});

after(async () => {
  if (daemon && daemon.child.exitCode === null) await daemon.stop();
});

type Row = CheckResultJson | UnmonitoredJson;
const rows = async () => (await getJson<Row[]>(`${daemon!.url}/status`)).map((row) => `${row.name} ${row.status}`);

test('daemon: discovery at start and on SIGHUP; a location gone is a down row, and its repositories stay checked', async () => {
  const config = join(dir, 'config.yaml');
  const checked = join(dir, 'checked');
  await writeFile(
    config,
    `listen: 127.0.0.1:0
defaults:
  mode: fast
  interval: 1h
discover:
  - url: ${checked}
  - {url: ${join(dir, 'other')}, check: false}
`,
  );
  daemon = await startDaemon(['-c', config]);
  await waitFor('alpha checked and orphan unmonitored', async () => (await rows()).join(',') === 'alpha up,orphan unmonitored', 20_000);
  const metrics = await (await fetch(`${daemon.url}/metrics`)).text();
  assert.match(metrics, /^restic_monitor_unmonitored_repositories 1$/m);
  assert.match(metrics, /^restic_monitor_up\{check="alpha",repository="alpha",mode="fast"\} 1$/m);
  const page = await (await fetch(`${daemon.url}/`)).text();
  assert.match(page, /<tr class="unmonitored" data-state="unmonitored"><td class="name">orphan<\/td><td class="state"><span class="badge">UNMONITORED<\/span>/);
  assert.match(page, /1 up, 1 unmonitored\./);
  const status = await getJson<CheckResultJson[]>(`${daemon.url}/status`);
  assert.equal(typeof (status[0] as CheckResultJson & { next_run: string }).next_run, 'string');

  // A new repository appears: SIGHUP lists again (as the hourly discovery would).
  await cp(join(checked, 'alpha'), join(checked, 'beta'), { recursive: true });
  daemon.child.kill('SIGHUP');
  await waitFor('beta checked', async () => (await rows()).join(',') === 'alpha up,beta up,orphan unmonitored', 20_000);

  // The location goes away (an unmounted share): a down row; alpha and beta keep their rows.
  await rename(checked, `${checked}-gone`);
  daemon.child.kill('SIGHUP');
  await waitFor('the location down', async () => (await rows()).includes(`${checked} down`), 20_000);
  assert.deepEqual(await rows(), ['alpha up', 'beta up', `${checked} down`, 'orphan unmonitored']);
  const down = (await getJson<CheckResultJson[]>(`${daemon.url}/status`))[2]!;
  assert.equal(down.message, `discovery failed: no directory ${checked}`);
  assert.match(daemon.stderr(), new RegExp(`"level":50,.*"msg":"discovery failed under ${checked}: no directory ${checked}"`));
  const stopped = await daemon.stop();
  assert.equal(stopped.code, 0);
});
