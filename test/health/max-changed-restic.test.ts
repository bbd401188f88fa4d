// max_changed against real restic 0.18 and 0.19.1 (the first with `summary`): a tree of 500
// files backed up, then a normal day (1% rewritten), then ransomware (90% overwritten with
// random bytes of the same length). Judged by the built-in reader and by that release's own
// binary, alone and in a shared `hosts:` run; the metric it writes makes the shipped alert
// rule fire (promtool).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { parse, stringify } from 'yaml';
import type { CheckResultJson } from '../../src/run/result-json.js';
import { runCli } from '../helpers/cli.js';
import { FIXTURES, ROOT } from '../helpers/paths.js';
import { parsePrometheus } from '../helpers/prometheus.js';
import { promtool } from '../helpers/promtool.js';
import { initRepository, PASSWORD, restic, tempDir } from '../helpers/restic-repos.js';
import { resticDir, resticEnv, type ResticRelease } from '../helpers/restic-versions.js';

const RELEASES: readonly ResticRelease[] = ['0.18', '0.19'];
const AGE = '((\\d+m)?\\d+s ago|\\d+m ago|just now)';
const FIRST = 'max_changed not checked: the latest snapshot has no parent to compare with (a first backup, or backup --force)';

/** One release's repositories and trees, and how far the story has gone. */
interface Setup {
  dir: string;
  /** Directory of the release's binary, first on the monitor's PATH. */
  bin: string;
  env: Record<string, string>;
  /** One tree of 500 files, backed up as host docs. */
  docs: string;
  docsTree: string;
  /** A repository two machines back up into (hosts web1 and web2), 100 files each. */
  fleet: string;
  trees: { web1: string; web2: string };
}

const setups = new Map<ResticRelease, Setup>();

/** `count` files of 1000 to 3999 random bytes, the same sizes every time. */
async function makeTree(dir: string, count: number): Promise<void> {
  await mkdir(dir, { recursive: true });
  await Promise.all(Array.from({ length: count }, (_, i) => writeFile(join(dir, `f${String(i).padStart(3, '0')}`), randomBytes(1000 + ((i * 37) % 3000)))));
}

/** The first `count` files rewritten with random bytes of the same length (a simulated encryption). */
async function overwrite(dir: string, count: number): Promise<void> {
  await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const file = join(dir, `f${String(i).padStart(3, '0')}`);
      await writeFile(file, randomBytes((await readFile(file)).length));
    }),
  );
}

before(async () => {
  await Promise.all(
    RELEASES.map(async (release) => {
      const dir = await tempDir(`rm-changed-${release}-`);
      const env = await resticEnv(release, { RESTIC_CACHE_DIR: join(dir, 'cache') });
      const setup: Setup = { dir, bin: await resticDir(release), env, docs: join(dir, 'docs'), docsTree: join(dir, 'docs-tree'), fleet: join(dir, 'fleet'), trees: { web1: join(dir, 'web1'), web2: join(dir, 'web2') } };
      await Promise.all([makeTree(setup.docsTree, 500), makeTree(setup.trees.web1, 100), makeTree(setup.trees.web2, 100)]);
      await initRepository(setup.docs, env);
      await restic(['-r', setup.docs, 'backup', '--quiet', '--host', 'docs', setup.docsTree], env);
      await initRepository(setup.fleet, env);
      for (const host of ['web1', 'web2'] as const) await restic(['-r', setup.fleet, 'backup', '--quiet', '--host', host, setup.trees[host]], env);
      setups.set(release, setup);
    }),
  );
});

const READERS = ['builtin', 'restic'] as const;

function config(setup: Setup): string {
  const repositories: Record<string, unknown> = {};
  for (const reader of READERS) {
    repositories[`docs-${reader}`] = { url: setup.docs, reader };
    repositories[`fleet-${reader}`] = { url: setup.fleet, reader, hosts: { web1: null, web2: null } };
  }
  return stringify({ defaults: { max_age: '1d', max_changed: '50%', extra_env: { RESTIC_PASSWORD: PASSWORD } }, repositories });
}

/** `restic-monitor ARGS` on the release's config, its binary behind a wrapper that notes each start. */
async function monitor(release: ResticRelease, args: string[]): Promise<{ stdout: string; starts: string[]; code: number | null }> {
  const setup = setups.get(release)!;
  const file = join(setup.dir, `config-${Math.random().toString(36).slice(2)}.yaml`);
  const counter = `${file}.starts`;
  await writeFile(file, config(setup));
  await writeFile(counter, '');
  const result = await runCli([...args, '-c', file], {
    env: { PATH: `${setup.bin}:${process.env.PATH}`, RESTIC_MONITOR_RESTIC: join(FIXTURES, 'counting-restic.sh'), RESTIC_COUNT_FILE: counter, RESTIC_CACHE_DIR: join(setup.dir, 'cache') },
  });
  assert.equal(result.stderr, '');
  return { stdout: result.stdout, starts: (await readFile(counter, 'utf8')).split('\n').filter((line) => line !== ''), code: result.code };
}

async function status(release: ResticRelease): Promise<{ rows: Map<string, CheckResultJson>; starts: string[] }> {
  const { stdout, starts } = await monitor(release, ['status', '--json']);
  const rows = JSON.parse(stdout) as CheckResultJson[];
  return { rows: new Map(rows.map((row) => [row.name, row])), starts };
}

const signal = (row: CheckResultJson) => row.signals?.find((one) => one.name === 'max_changed');

for (const release of RELEASES) {
  test(`restic ${release}: a first backup never fires: not judged, and the message says why`, async () => {
    const { rows } = await status(release);
    for (const name of ['docs', 'fleet']) {
      for (const reader of READERS) {
        for (const check of name === 'docs' ? [`docs-${reader}`] : [`fleet-${reader}/web1`, `fleet-${reader}/web2`]) {
          const row = rows.get(check)!;
          assert.equal(row.status, 'up', `${check}: ${row.message}`);
          assert.match(row.message, new RegExp(`^latest snapshot ${AGE} \\(max 1d\\); ${FIRST.replace(/[()]/g, '\\$&')}$`), check);
          assert.deepEqual(signal(row), { name: 'max_changed', limit: 50, value: null, ok: null }, check);
        }
      }
    }
  });

  test(`restic ${release}: a normal day, 1% of the files rewritten, stays up`, async () => {
    const setup = setups.get(release)!;
    await overwrite(setup.docsTree, 5);
    await restic(['-r', setup.docs, 'backup', '--quiet', '--host', 'docs', setup.docsTree], setup.env);
    const { rows } = await status(release);
    for (const reader of READERS) {
      const row = rows.get(`docs-${reader}`)!;
      assert.equal(row.status, 'up', `${reader}: ${row.message}`);
      assert.match(row.message, new RegExp(`^latest snapshot ${AGE} \\(max 1d\\)$`), reader);
      assert.deepEqual(signal(row), { name: 'max_changed', limit: 50, value: 1, ok: true }, reader);
    }
  });

  test(`restic ${release}: 90% of the files overwritten with random bytes of the same length is down, with both readers and in a shared hosts: run`, async () => {
    const setup = setups.get(release)!;
    await overwrite(setup.docsTree, 450);
    await restic(['-r', setup.docs, 'backup', '--quiet', '--host', 'docs', setup.docsTree], setup.env);
    // Of the two machines backing up into one repository, one is hit and one has a normal day.
    await overwrite(setup.trees.web1, 90);
    await overwrite(setup.trees.web2, 1);
    for (const host of ['web1', 'web2'] as const) await restic(['-r', setup.fleet, 'backup', '--quiet', '--host', host, setup.trees[host]], setup.env);
    const { rows, starts } = await status(release);
    for (const reader of READERS) {
      const docs = rows.get(`docs-${reader}`)!;
      assert.equal(docs.status, 'down', reader);
      assert.equal(docs.reader, reader);
      assert.match(docs.message, new RegExp(`^changed 90% of files \\(max_changed 50%\\); latest snapshot ${AGE}$`), reader);
      assert.deepEqual(signal(docs), { name: 'max_changed', limit: 50, value: 90, ok: false });
      const web1 = rows.get(`fleet-${reader}/web1`)!;
      assert.equal(web1.status, 'down', reader);
      assert.match(web1.message, new RegExp(`^changed 90% of files \\(max_changed 50%\\); latest snapshot ${AGE}$`), reader);
      const web2 = rows.get(`fleet-${reader}/web2`)!;
      assert.equal(web2.status, 'up', `${reader}: ${web2.message}`);
      assert.deepEqual(signal(web2), { name: 'max_changed', limit: 50, value: 1, ok: true });
    }
    // The binary listed each repository once (the hosts of fleet shared one run), newest per group only.
    assert.deepEqual(starts, Array(2).fill('snapshots --json --no-lock --group-by host,paths --latest 1'));
  });

  test(`restic ${release}: the metric says so, and the shipped alert rule fires on it (promtool test rules)`, async () => {
    const setup = setups.get(release)!;
    const textfile = join(setup.dir, 'restic.prom');
    const { code } = await monitor(release, ['run', '--textfile', textfile]);
    assert.equal(code, 1);
    const families = parsePrometheus(await readFile(textfile, 'utf8'));
    const series = families.get('restic_monitor_signal_ok')!.samples.filter((sample) => sample.labels.signal === 'max_changed');
    const failed = series.filter((sample) => sample.value === 0).map((sample) => sample.labels.check).sort();
    assert.deepEqual(failed, ['docs-builtin', 'docs-restic', 'fleet-builtin/web1', 'fleet-restic/web1']);

    // Those very series, scraped for 20 minutes, against monitoring/alerts.yml.
    const rules = parse(await readFile(join(ROOT, 'monitoring', 'alerts.yml'), 'utf8')) as { groups: Array<{ rules: Array<{ alert: string; annotations: Record<string, string> }> }> };
    const rule = rules.groups.flatMap((group) => group.rules).find((one) => one.alert === 'ResticSnapshotMassChange')!;
    const scraped: Array<Record<string, string>> = series.map((sample) => ({ ...sample.labels, job: 'restic-monitor', instance: 'monitor:9469' }));
    const selector = (labels: Record<string, string>) => `restic_monitor_signal_ok{${Object.entries(labels).map(([key, value]) => `${key}=${JSON.stringify(value)}`).join(',')}}`;
    const expected = scraped
      .filter((labels) => failed.includes(labels.check!))
      .map((labels) => ({
        exp_labels: { ...labels, severity: 'critical' },
        exp_annotations: Object.fromEntries(Object.entries(rule.annotations).map(([key, text]) => [key, text.replace(/\{\{ \$labels\.check \}\}/g, labels.check!)])),
      }));
    const unitTest = {
      rule_files: [join(ROOT, 'monitoring', 'alerts.yml')],
      evaluation_interval: '1m',
      tests: [
        {
          interval: '1m',
          input_series: scraped.map((labels) => ({ series: selector(labels), values: `${series.find((sample) => sample.labels.check === labels.check)!.value}x20` })),
          alert_rule_test: [
            { eval_time: '4m', alertname: 'ResticSnapshotMassChange', exp_alerts: [] },
            { eval_time: '6m', alertname: 'ResticSnapshotMassChange', exp_alerts: expected },
          ],
        },
      ],
    };
    const file = join(setup.dir, 'mass-change.test.yml');
    await writeFile(file, stringify(unitTest));
    const run = await promtool(['test', 'rules', file]);
    assert.equal(run.code, 0, run.output);
  });

  test(`restic ${release}: every file touched (metadata only, restic re-reads them all) changes 0%; backup --force has no parent and is not judged`, async () => {
    const setup = setups.get(release)!;
    const later = new Date(Date.now() + 60_000);
    await Promise.all(Array.from({ length: 500 }, (_, i) => utimes(join(setup.docsTree, `f${String(i).padStart(3, '0')}`), later, later)));
    await restic(['-r', setup.docs, 'backup', '--quiet', '--host', 'docs', setup.docsTree], setup.env);
    const touched = await status(release);
    for (const reader of READERS) {
      const row = touched.rows.get(`docs-${reader}`)!;
      assert.equal(row.status, 'up', `${reader}: ${row.message}`);
      assert.deepEqual(signal(row), { name: 'max_changed', limit: 50, value: 0, ok: true }, reader);
    }
    await restic(['-r', setup.docs, 'backup', '--quiet', '--force', '--host', 'docs', setup.docsTree], setup.env);
    const forced = await status(release);
    for (const reader of READERS) {
      const row = forced.rows.get(`docs-${reader}`)!;
      assert.equal(row.status, 'up', `${reader}: ${row.message}`);
      assert.match(row.message, new RegExp(`^latest snapshot ${AGE} \\(max 1d\\); ${FIRST.replace(/[()]/g, '\\$&')}$`), reader);
    }
  });
}
