import assert from 'node:assert/strict';
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { parseDuration } from '../../src/duration.js';
import { ROOT } from '../helpers/paths.js';
import { exportedMetricNames, metricNames } from '../helpers/promql-names.js';
import { promtool } from '../helpers/promtool.js';
import { tempDir } from '../helpers/restic-repos.js';

const RULES = join(ROOT, 'monitoring', 'alerts.yml');
const RULES_TEST = join(ROOT, 'monitoring', 'alerts.test.yml');

interface Rule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface RuleTest {
  name: string;
  alert_rule_test: Array<{ eval_time: string; alertname: string; exp_alerts: unknown[] }>;
}

const rules = async () => (parse(await readFile(RULES, 'utf8')) as { groups: Array<{ rules: Rule[] }> }).groups.flatMap((group) => group.rules);

test('promtool check rules accepts the shipped alert rules', async () => {
  const check = await promtool(['check', 'rules', RULES]);
  assert.equal(check.code, 0, check.output);
  assert.equal(check.output, `Checking ${RULES}\n  SUCCESS: 11 rules found\n\n`);
});

test('promtool test rules: every alert fires and clears on the series fed to it', async () => {
  const run = await promtool(['test', 'rules', RULES_TEST]);
  assert.equal(run.code, 0, run.output);
  assert.match(run.output, /^Unit Testing: {2}.*alerts\.test\.yml\n {2}SUCCESS\n/);
});

test('each alert has a for: of at least 5m, a severity, a summary, a description and a runbook line', async () => {
  const all = await rules();
  assert.deepEqual(
    all.map((rule) => rule.alert),
    ['ResticSnapshotStale', 'ResticSnapshotsMissing', 'ResticSnapshotInFuture', 'ResticCheckFailing', 'ResticHealthSignalFailing', 'ResticSnapshotMassChange', 'ResticPushFailing', 'ResticMonitorSilent', 'ResticMonitorChecksOverdue', 'ResticMonitorConfigReloadFailed', 'ResticRepositoryUnmonitored'],
  );
  for (const rule of all) {
    assert.ok(rule.for && parseDuration(rule.for)! >= 5 * 60_000, `${rule.alert}: for ${rule.for}`);
    assert.ok(['critical', 'warning'].includes(rule.labels?.severity ?? ''), `${rule.alert}: severity`);
    for (const key of ['summary', 'description', 'runbook']) assert.ok((rule.annotations?.[key] ?? '').length > 20, `${rule.alert}: ${key}`);
  }
});

test('the unit test makes each alert fire and, later, clear', async () => {
  const tests = (parse(await readFile(RULES_TEST, 'utf8')) as { tests: RuleTest[] }).tests;
  for (const rule of await rules()) {
    const evaluations = tests.flatMap((entry) => entry.alert_rule_test.filter((check) => check.alertname === rule.alert));
    const firing = evaluations.filter((check) => check.exp_alerts.length > 0).map((check) => parseDuration(check.eval_time)!);
    const clear = evaluations.filter((check) => check.exp_alerts.length === 0).map((check) => parseDuration(check.eval_time)!);
    assert.ok(firing.length > 0, `${rule.alert} is expected to fire somewhere`);
    assert.ok(clear.some((time) => time > Math.min(...firing)), `${rule.alert} is expected to clear after firing`);
  }
});

test("the alert rules use only metrics the project exports, and Prometheus's own up", async () => {
  const exported = exportedMetricNames();
  for (const rule of await rules()) {
    const names = metricNames(rule.expr);
    assert.ok(names.length > 0, `${rule.alert} names a metric`);
    for (const name of names) assert.ok(exported.has(name) || name === 'up', `${rule.alert}: ${name} is not exported`);
  }
});

test('the unit test is not vacuous: a rule whose for: is too short fails it', async () => {
  const dir = await tempDir('rm-rules-mutant-');
  const text = await readFile(RULES, 'utf8');
  const mutant = text.replace(/(alert: ResticCheckFailing\n(?:.*\n){1})\s+for: 15m/, '$1        for: 5m');
  assert.notEqual(mutant, text);
  await writeFile(join(dir, 'alerts.yml'), mutant);
  await copyFile(RULES_TEST, join(dir, 'alerts.test.yml'));
  const run = await promtool(['test', 'rules', join(dir, 'alerts.test.yml')]);
  assert.equal(run.code, 1);
  assert.match(run.output, /alertname: ResticCheckFailing, time: 24m/);
});

test('metric names are read out of PromQL: functions, keywords, labels, strings and variables are not names', () => {
  assert.deepEqual(metricNames('up{job="restic-monitor"} == 0 or absent(up{job="restic-monitor"})'), ['up']);
  assert.deepEqual(
    metricNames('sum by (repository) (increase(restic_monitor_push_failures_total{job=~"$job", repository=~"${repository:regex}"}[$__rate_interval]))'),
    ['restic_monitor_push_failures_total'],
  );
  assert.deepEqual(
    metricNames('(time() - a_ts > bool on(job, instance) group_left(mode) b_max) unless ignoring(mode) c == 0 offset 1h30m'),
    ['a_ts', 'b_max', 'c'],
  );
  assert.deepEqual(metricNames('count(x == 1) or vector(0) * 3 + 1e3'), ['x']);
  assert.deepEqual(metricNames('label_values(restic_monitor_up{job=~"$job"}, repository)'), ['restic_monitor_up']);
});
