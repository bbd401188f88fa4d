import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { stringify } from 'yaml';
import { ROOT } from '../helpers/paths.js';
import { exportedMetricNames, metricNames } from '../helpers/promql-names.js';
import { promtool } from '../helpers/promtool.js';
import { tempDir } from '../helpers/restic-repos.js';

interface Target {
  refId: string;
  expr: string;
  datasource: { type: string; uid: string };
}
interface Panel {
  id: number;
  type: string;
  title: string;
  datasource: { type: string; uid: string };
  targets: Target[];
  transformations?: Array<{ id: string; options: { renameByName?: Record<string, string> } }>;
}
interface Dashboard {
  uid: string;
  title: string;
  schemaVersion: number;
  panels: Panel[];
  templating: { list: Array<{ type: string; name: string; query: string | { query: string } }> };
}

const dashboard = async () => JSON.parse(await readFile(join(ROOT, 'monitoring', 'grafana-dashboard.json'), 'utf8')) as Dashboard;

/** Every query in the dashboard: the panels' and the template variables'. */
async function queries(): Promise<Array<{ where: string; expr: string }>> {
  const board = await dashboard();
  const panels = board.panels.flatMap((panel) => panel.targets.map((target) => ({ where: `${panel.title} ${target.refId}`, expr: target.expr })));
  const variables = board.templating.list.filter((variable) => variable.type === 'query').map((variable) => ({ where: `$${variable.name}`, expr: typeof variable.query === 'string' ? variable.query : variable.query.query }));
  return [...panels, ...variables];
}

test('the dashboard has the table, age against max_age, check durations and push failures, on a chosen Prometheus data source', async () => {
  const board = await dashboard();
  assert.equal(board.uid, 'restic-monitor');
  assert.ok(board.schemaVersion >= 36);
  assert.deepEqual(
    board.templating.list.map((variable) => [variable.type, variable.name]),
    [['datasource', 'datasource'], ['query', 'job'], ['query', 'repository'], ['query', 'check']],
  );
  assert.equal(new Set(board.panels.map((panel) => panel.id)).size, board.panels.length, 'panel ids are unique');
  for (const panel of board.panels) {
    // No data source uid of one Grafana baked in: the dashboard imports anywhere.
    for (const source of [panel.datasource, ...panel.targets.map((target) => target.datasource)]) assert.deepEqual(source, { type: 'prometheus', uid: '${datasource}' }, panel.title);
  }
  const byTitle = new Map(board.panels.map((panel) => [panel.title, panel]));
  const named = (title: string) => byTitle.get(title)!.targets.flatMap((target) => metricNames(target.expr));

  const table = byTitle.get('Checks')!;
  assert.equal(table.type, 'table');
  const columns = Object.values(table.transformations!.find((step) => step.id === 'organize')!.options.renameByName!);
  for (const column of ['Check', 'Repository', 'State', 'Age', 'Max age', 'Mode', 'Reader']) assert.ok(columns.includes(column), column);
  assert.deepEqual(named('Checks').sort(), [
    'restic_monitor_check_duration_seconds',
    'restic_monitor_check_success',
    'restic_monitor_last_check_timestamp_seconds',
    'restic_monitor_latest_snapshot_timestamp_seconds',
    'restic_monitor_max_age_seconds',
    'restic_monitor_up',
  ]);
  assert.deepEqual(named('Snapshot age against max_age'), ['restic_monitor_latest_snapshot_timestamp_seconds', 'restic_monitor_max_age_seconds']);
  assert.deepEqual(named('Check duration'), ['restic_monitor_check_duration_seconds']);
  assert.deepEqual(named('Push failures per hour'), ['restic_monitor_push_failures_total']);
});

test('every query in the dashboard names only metrics the project exports', async () => {
  const exported = exportedMetricNames();
  const all = await queries();
  assert.ok(all.length >= 10);
  for (const { where, expr } of all) {
    const names = metricNames(expr);
    assert.ok(names.length > 0, `${where} names a metric: ${expr}`);
    for (const name of names) assert.ok(exported.has(name), `${where}: ${name} is not exported by restic-monitor`);
  }
});

test("every panel query is PromQL that Prometheus's own parser accepts (promtool check rules)", async () => {
  const board = await dashboard();
  // Grafana fills in its variables before Prometheus sees a query; do the same.
  const rules = board.panels.flatMap((panel) =>
    panel.targets.map((target) => ({
      record: `dashboard:panel${panel.id}:${target.refId}`,
      expr: target.expr.replace(/\$\{?(?:job|repository|check)(?::\w+)?\}?/g, '.+').replace(/\$__rate_interval|\$__range/g, '5m'),
    })),
  );
  assert.ok(rules.every((rule) => !rule.expr.includes('$')), 'every variable was substituted');
  const file = join(await tempDir('rm-dashboard-promql-'), 'dashboard.rules.yml');
  await writeFile(file, stringify({ groups: [{ name: 'dashboard', rules }] }));
  const check = await promtool(['check', 'rules', file]);
  assert.equal(check.code, 0, check.output);
  assert.equal(check.output, `Checking ${file}\n  SUCCESS: ${rules.length} rules found\n\n`);
});
