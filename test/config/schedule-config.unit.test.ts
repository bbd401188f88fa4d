import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatValidation } from '../../src/cli/format.js';
import { parseConfig } from '../../src/config/parse.js';
import { longestGapMs, processTimeZone } from '../../src/cron.js';
import { judgeHealth } from '../../src/daemon/health.js';
import { formatDuration } from '../../src/duration.js';
import { UptimeKumaTarget } from '../../src/push/uptime-kuma.js';
import { Redactor } from '../../src/redact.js';
import { overdueAfterMs, worstCaseCycleMs } from '../../src/run/bounds.js';
import { configProblems } from '../helpers/config-problems.js';

const HOUR = 3_600_000;

/** name → schedule (or "every <interval>") for each check of `text`. */
function cadences(text: string): Record<string, string> {
  return Object.fromEntries(
    parseConfig(text, {}).checks.map((check) => [check.name, check.schedule !== undefined ? `${check.schedule} in ${check.timeZone ?? 'the process zone'}` : `every ${formatDuration(check.intervalMs)}`]),
  );
}

test('of schedule and interval, the one set nearest the check wins: host entry, then repository, then defaults', () => {
  assert.deepEqual(
    cadences(`defaults: {schedule: "0 6,18 * * *", time_zone: Europe/Berlin}
repositories:
  inherits: {url: /a}
  own-interval: {url: /b, interval: 2h}
  fleet:
    url: /c
    interval: 30m
    hosts:
      web1: {}
      web2: {schedule: "15 3 * * *"}
`),
    {
      inherits: '0 6,18 * * * in Europe/Berlin',
      'own-interval': 'every 2h',
      'fleet/web1': 'every 30m',
      'fleet/web2': '15 3 * * * in Europe/Berlin',
    },
  );
  assert.deepEqual(
    cadences(`defaults: {interval: 2h, time_zone: UTC}
repositories:
  inherits: {url: /a}
  own-schedule: {url: /b, schedule: "@daily"}
  fleet:
    url: /c
    schedule: "0 */6 * * *"
    hosts:
      web1: {interval: 10m}
      web2: {}
`),
    { inherits: 'every 2h', 'own-schedule': '@daily in UTC', 'fleet/web1': 'every 10m', 'fleet/web2': '0 */6 * * * in UTC' },
  );
});

test('without time_zone a schedule runs in the process zone (the check leaves it unset)', () => {
  const [check] = parseConfig('repositories:\n  db: {url: /x, schedule: "0 6 * * *"}\n', {}).checks;
  assert.equal(check!.schedule, '0 6 * * *');
  assert.equal(check!.timeZone, undefined);
});

test('each bad schedule or time zone gets its exact message', () => {
  const cases: Array<[string, string[]]> = [
    ['repositories:\n  db: {url: /x, schedule: "0 6 * * *", interval: 1h}\n', ['repositories.db: "schedule" and "interval" cannot both be set (a check runs at cron times or every interval: keep one)']],
    ['defaults: {schedule: "0 6 * * *", interval: 1h}\nrepositories:\n  a: {url: /x}\n  b: {url: /y}\n', ['defaults: "schedule" and "interval" cannot both be set (a check runs at cron times or every interval: keep one)']],
    [
      'repositories:\n  f:\n    url: /x\n    hosts:\n      web1: {schedule: "0 6 * * *", interval: 1h}\n',
      ['repositories.f.hosts.web1: "schedule" and "interval" cannot both be set (a check runs at cron times or every interval: keep one)'],
    ],
    ['repositories:\n  db: {url: /x, schedule: "0 6,18 * *"}\n', ['repositories.db.schedule: "0 6,18 * *" is not a cron expression: it needs five fields (minute hour day-of-month month day-of-week), e.g. "0 6,18 * * *"']],
    ['repositories:\n  db: {url: /x, schedule: "0 0 6 * * *"}\n', ['repositories.db.schedule: "0 0 6 * * *" is not a cron expression: it needs five fields (minute hour day-of-month month day-of-week), e.g. "0 6,18 * * *"']],
    ['repositories:\n  db: {url: /x, schedule: "61 * * * *"}\n', ['repositories.db.schedule: "61 * * * *" is not a cron expression: Invalid value for minute: 61']],
    ['repositories:\n  db: {url: /x, schedule: "0 0 30 2 *"}\n', ['repositories.db.schedule: "0 0 30 2 *" never runs']],
    ['defaults: {schedule: "@sometimes"}\nrepositories:\n  db: {url: /x}\n', ['defaults.schedule: "@sometimes" is not a cron expression: the nicknames are @yearly, @annually, @monthly, @weekly, @daily, @hourly']],
    ['repositories:\n  db: {url: /x, schedule: 6}\n', ['repositories.db.schedule: expected a string, got a number (put it in quotes)']],
    ['repositories:\n  db: {url: /x, schedule: "0 6 * * *", time_zone: Mars/Olympus}\n', ['repositories.db.time_zone: "Mars/Olympus" is not an IANA time zone (e.g. Europe/Berlin, America/New_York, UTC)']],
    ['repositories:\n  db: {url: /x, schedul: "0 6 * * *"}\n', ['repositories.db: unknown key "schedul" (did you mean "schedule"?)']],
    ['repositories:\n  db: {url: /x, timezone: UTC}\n', ['repositories.db: unknown key "timezone" (did you mean "time_zone"?)']],
  ];
  for (const [text, expected] of cases) assert.deepEqual(configProblems(text), expected, text);
});

test('validate shows the schedule and its zone, the process zone named as such', () => {
  const config = parseConfig('repositories:\n  berlin: {url: /a, schedule: "0 6,18 * * *", time_zone: Europe/Berlin}\n  local: {url: /b, schedule: "0 6 * * *"}\n  hourly: {url: /c}\n', {});
  const view = JSON.parse(formatValidation(config, new Redactor([]), true)) as { repositories: Record<string, Record<string, unknown>> };
  const picked = Object.fromEntries(Object.entries(view.repositories).map(([name, shown]) => [name, [shown.schedule, shown.time_zone]]));
  assert.deepEqual(picked, {
    berlin: ['0 6,18 * * *', 'Europe/Berlin'],
    local: ['0 6 * * *', `${processTimeZone()} (the process's zone)`],
    hourly: [undefined, undefined],
  });
  assert.match(formatValidation(config, new Redactor([]), false), /^ {4}schedule: 0 6,18 \* \* \*\n {4}time_zone: Europe\/Berlin\n/m);
});

test("/healthz's limit for a scheduled check is built on its longest gap: every 12 h is not late after 2 h, nor after 23 h", () => {
  const [check] = parseConfig('repositories:\n  web: {url: /x, schedule: "0 6,18 * * *", time_zone: UTC, push_url: "http://127.0.0.1:9/api/push/", push_token: tok-1234}\n', {}).checks;
  assert.equal(check!.intervalMs, 12 * HOUR);
  const limit = overdueAfterMs(check!.intervalMs, worstCaseCycleMs(check!, [new UptimeKumaTarget()]));
  const entry = { name: 'web', lastProgressAt: 0, overdueAfterMs: limit };
  assert.equal(judgeHealth(true, [entry], 2 * HOUR).ok, true);
  assert.equal(judgeHealth(true, [entry], 23 * HOUR).ok, true);
  assert.deepEqual(judgeHealth(true, [entry], 30 * HOUR), { ok: false, reason: `web: no check ended for 1d6h (limit ${formatDuration(limit)})` });
  // Across a DST change the longest gap is 13 h: the limit follows it.
  const [berlin] = parseConfig('repositories:\n  web: {url: /x, schedule: "0 6,18 * * *", time_zone: Europe/Berlin}\n', {}).checks;
  assert.equal(berlin!.intervalMs, 13 * HOUR);
});

test('the longest gap of a schedule that runs in bursts is the wait between the bursts, not within one', () => {
  const MINUTE = 60_000;
  const DAY = 24 * HOUR;
  const gaps = Object.fromEntries(
    ['* * 1 * *', '* 0 * * *', '*/5 * * * *', '0 6,18 * * *', '30 2 * * 1-5', '0 0 29 2 *', '@yearly'].map((expression) => [expression, longestGapMs(expression, 'UTC')]),
  );
  assert.deepEqual(gaps, {
    // Every minute of the 1st: from Jan 1st 23:59 to Feb 1st 00:00 (a 31-day month).
    '* * 1 * *': 30 * DAY + MINUTE,
    // Every minute from 00:00 to 00:59: from 00:59 to the next day's 00:00.
    '* 0 * * *': 23 * HOUR + MINUTE,
    '*/5 * * * *': 5 * MINUTE,
    '0 6,18 * * *': 12 * HOUR,
    // Friday 02:30 to Monday 02:30.
    '30 2 * * 1-5': 3 * DAY,
    // Feb 29th 2024 to Feb 29th 2028.
    '0 0 29 2 *': 1461 * DAY,
    '@yearly': 366 * DAY,
  });
});
