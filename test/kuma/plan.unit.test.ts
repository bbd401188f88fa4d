import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KumaMonitor } from '../../src/kuma/api.js';
import type { KumaSettings } from '../../src/config/kuma.js';
import { desiredMonitors, type DesiredMonitor } from '../../src/kuma/desired.js';
import { planSync, type PlanInput } from '../../src/kuma/plan.js';
import { formatSync, syncFailed } from '../../src/kuma/report.js';
import { checkConfig } from '../helpers/config.js';

const KUMA: KumaSettings = { url: 'https://kuma.example.com', pushBase: 'https://kuma.example.com/api/push/', monitorName: '{{ .Name }}', tag: 'restic-monitor', timeoutMs: 30_000, sync: false, loginProblems: [] };
const HOUR = 3_600_000;

function desired(check: string, intervalSeconds = 4000): DesiredMonitor {
  return { check, name: check, pushToken: `token-of-${check}`, intervalSeconds, gapMs: HOUR, graceMs: 400_000, capped: false };
}

function monitor(id: number, name: string, mark?: string, fields: Partial<KumaMonitor> = {}): KumaMonitor {
  return {
    id,
    name,
    type: 'push',
    pushToken: `token-of-${name}`,
    interval: 4000,
    retryInterval: 4000,
    maxretries: 0,
    active: true,
    tags: mark === undefined ? [] : [{ tagId: 1, name: 'restic-monitor', value: mark }],
    raw: {},
    ...fields,
  };
}

const plan = (input: Partial<PlanInput>) => planSync({ desired: [], skipped: [], monitors: [], tag: 'restic-monitor', prune: 'off', discoveryIncomplete: false, ...input });

test('desired: the heartbeat interval is the gap plus the worst-case cycle plus 10% of the gap (at most 15m)', () => {
  const checks = [
    checkConfig({ name: 'hourly', url: '/r', pushUrl: KUMA.pushBase, pushToken: 't1', intervalMs: HOUR }),
    checkConfig({ name: 'daily', url: '/r', pushUrl: KUMA.pushBase, pushToken: 't2', intervalMs: 24 * HOUR }),
    checkConfig({ name: 'elsewhere', url: '/r', pushUrl: 'https://other.example.com/api/push/', pushToken: 't3' }),
    checkConfig({ name: 'tokenless', url: '/r', pushUrl: KUMA.pushBase }),
  ];
  const { monitors, skipped } = desiredMonitors(checks, KUMA, () => 637_000);
  assert.deepEqual(
    monitors.map((entry) => [entry.check, entry.intervalSeconds, entry.pushToken]),
    [
      ['hourly', 3600 + 637 + 360, 't1'],
      ['daily', 86_400 + 637 + 900, 't2'],
    ],
  );
  assert.deepEqual(skipped, [
    { check: 'elsewhere', reason: 'pushes to another push_url (https://other.example.com/api/push/)' },
    { check: 'tokenless', reason: 'has no push_token, and kuma.token_secret is not set to derive one' },
  ]);
});

test('desired: a push_url written another way is still the kuma: block\'s (host case, default port, no slash)', () => {
  const checks = ['https://KUMA.example.com:443/api/push', 'https://kuma.example.com/api/push/', 'https://kuma.example.com:8443/api/push/'].map((pushUrl, index) =>
    checkConfig({ name: `c${index}`, url: '/r', pushUrl, pushToken: 't' }),
  );
  const { monitors, skipped } = desiredMonitors(checks, KUMA, () => 0);
  assert.deepEqual(monitors.map((entry) => entry.check), ['c0', 'c1']);
  assert.deepEqual(skipped, [{ check: 'c2', reason: 'pushes to another push_url (https://kuma.example.com:8443/api/push/)' }]);
});

test('desired: run_interval replaces the daemon interval, grace replaces the computed one, and Kuma\'s 24-day limit caps it', () => {
  const check = checkConfig({ name: 'web', url: '/r', pushUrl: KUMA.pushBase, pushToken: 't', intervalMs: HOUR });
  const timer = desiredMonitors([check], { ...KUMA, runIntervalMs: 12 * HOUR, graceMs: 30 * 60_000, monitorName: 'backup {{ .Name }}' }, () => 1).monitors[0]!;
  assert.deepEqual([timer.name, timer.intervalSeconds, timer.capped], ['backup web', 12 * 3600 + 1800, false]);
  const monthly = desiredMonitors([check], { ...KUMA, runIntervalMs: 30 * 24 * HOUR }, () => 0).monitors[0]!;
  assert.deepEqual([monthly.intervalSeconds, monthly.capped], [24 * 86_400, true]);
});

test('plan: create, update only what differs, leave the unchanged alone', () => {
  const steps = plan({
    desired: [desired('new'), desired('same'), desired('slower', 8000)],
    monitors: [monitor(2, 'same', 'same'), monitor(3, 'slower', 'slower')],
  });
  assert.deepEqual(
    steps.map((step) => [step.kind, 'changes' in step ? step.changes : undefined]),
    [
      ['create', undefined],
      ['unchanged', undefined],
      ['update', { interval: 8000, retryInterval: 8000 }],
    ],
  );
});

test('plan: a monitor is matched to its check by the tag, so a renamed or re-tokened monitor is updated in place', () => {
  const [step] = plan({ desired: [{ ...desired('web'), name: 'backup web', pushToken: 'new-token' }], monitors: [monitor(7, 'web', 'web', { maxretries: 3, type: 'http' })] });
  assert.equal(step!.kind, 'update');
  assert.deepEqual(step!.kind === 'update' && step!.changes, { name: 'backup web', pushToken: 'new-token', type: 'push', maxretries: 0 });
});

test('plan: a paused monitor of a configured check is resumed (Kuma refuses its beats), after any update', () => {
  const steps = plan({ desired: [desired('web'), desired('db', 8000)], monitors: [monitor(1, 'web', 'web', { active: false }), monitor(2, 'db', 'db', { active: false })] });
  assert.deepEqual(steps.map((step) => `${step.kind} ${'monitor' in step ? step.monitor.id : ''}`), ['resume 1', 'update 2', 'resume 2']);
});

test('plan: an unmarked monitor of the wanted name is a conflict, never touched; a second marked one is a duplicate', () => {
  const steps = plan({
    desired: [desired('web'), desired('db')],
    monitors: [monitor(1, 'web'), monitor(2, 'db', 'db'), monitor(3, 'db copy', 'db')],
  });
  assert.deepEqual(steps.map((step) => [step.kind, 'monitor' in step ? step.monitor.id : undefined]), [
    ['conflict', 1],
    ['unchanged', 2],
    ['duplicate', 3],
  ]);
});

test('plan: marked monitors whose check is gone are listed; --prune pauses them, --prune=delete deletes them', () => {
  const monitors = [monitor(1, 'gone', 'gone'), monitor(2, 'paused', 'paused', { active: false }), monitor(3, 'mine')];
  const kinds = (input: Partial<PlanInput>) => plan({ monitors, ...input }).map((step) => `${step.kind}${step.kind === 'orphan' ? `:${step.why}` : ''}`);
  assert.deepEqual(kinds({}), ['orphan:no-prune', 'orphan:no-prune']);
  assert.deepEqual(kinds({ prune: 'pause' }), ['pause', 'orphan:already-paused']);
  assert.deepEqual(kinds({ prune: 'delete' }), ['delete', 'delete']);
  // A discover: location that could not be listed may hold their repositories.
  assert.deepEqual(kinds({ prune: 'delete', discoveryIncomplete: true }), ['orphan:discovery-incomplete', 'orphan:discovery-incomplete']);
  // --only picked some checks: the others are not gone.
  assert.deepEqual(kinds({ prune: 'pause', partial: true }), []);
  // A check that is skipped (no token) still exists: its monitor is not an orphan.
  assert.deepEqual(kinds({ skipped: [{ check: 'gone', reason: 'x' }] }).slice(0, 1), ['skipped']);
});

test('report: one line per step, masked tokens, a count; conflicts and failures make the sync fail', () => {
  const steps = plan({
    desired: [desired('new'), { ...desired('web'), pushToken: 'rotated' }, desired('clash')],
    monitors: [monitor(4, 'web', 'web', { interval: 60, retryInterval: 60, active: false }), monitor(5, 'clash')],
  });
  const outcomes = steps.map((step) => ({ step }));
  assert.equal(
    formatSync(outcomes, { dryRun: true, tag: 'restic-monitor' }),
    [
      'create    new    push monitor "new", heartbeat interval 1h6m40s',
      'update    web    monitor 4: heartbeat interval 1m -> 1h6m40s, push token',
      'resume    web    monitor 4: paused in Kuma, which refuses its beats; its check is in the config',
      'conflict  clash  monitor 5 "clash" is not tagged restic-monitor: not touched (to let sync manage it, give it the tag restic-monitor with the value clash in Kuma; or rename it)',
      '1 to create, 1 to update, 1 to resume, 1 to resolve in Kuma (dry run: nothing was sent)',
      '',
    ].join('\n'),
  );
  assert.equal(syncFailed(outcomes), true);
  const failed = [{ step: steps[0]!, error: 'Uptime Kuma at https://kuma.example.com: could not create the monitor new: SQLITE_BUSY' }];
  assert.equal(formatSync(failed, { dryRun: false, tag: 'restic-monitor' }).split('\n')[0], 'FAILED    new  create: Uptime Kuma at https://kuma.example.com: could not create the monitor new: SQLITE_BUSY');
  assert.equal(syncFailed(failed), true);
  assert.equal(syncFailed([{ step: { kind: 'unchanged', desired: desired('a'), monitor: monitor(1, 'a', 'a') } }]), false);
});
