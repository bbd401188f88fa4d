import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describePlan, planChecks } from '../../src/checkers/plan.js';
import { formatValidation } from '../../src/cli/format.js';
import { parseConfig } from '../../src/config/parse.js';
import { Redactor } from '../../src/redact.js';
import { configProblems } from '../helpers/config-problems.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

test('restore_drill in defaults, a repository or a host entry; the nearest layer wins whole; interval 1d and the check\'s max_age by default', () => {
  const config = parseConfig(
    `defaults:
  url: /srv/{{ .Name }}
  max_age: 6h
  restore_drill: {path: /var/lib/backup-canary}
repositories:
  web: {}
  db:
    restore_drill: {path: "/var/lib/{{ .Name }}-canary", interval: 12h, max_age: 1d}
  fleet:
    max_age: 2h
    hosts:
      web1:
      web2: {restore_drill: {path: "/srv/{{ .Host }}/canary", max_age: 3h}}
`,
    {},
  );
  assert.deepEqual(
    config.checks.map((check) => [check.name, check.signals]),
    [
      ['web', { restoreDrill: { path: '/var/lib/backup-canary', intervalMs: DAY, maxAgeMs: 6 * HOUR } }],
      ['db', { restoreDrill: { path: '/var/lib/db-canary', intervalMs: 12 * HOUR, maxAgeMs: DAY } }],
      ['fleet/web1', { restoreDrill: { path: '/var/lib/backup-canary', intervalMs: DAY, maxAgeMs: 2 * HOUR } }],
      ['fleet/web2', { restoreDrill: { path: '/srv/web2/canary', intervalMs: DAY, maxAgeMs: 3 * HOUR } }],
    ],
  );
  const shown = JSON.parse(formatValidation(config, new Redactor([]), true)) as { repositories: Record<string, Record<string, unknown>> };
  assert.deepEqual(shown.repositories.db!.restore_drill, { path: '/var/lib/db-canary', interval: '12h', max_age: '1d' });
});

test('restore_drill beside the scalar signals: both kept', () => {
  const config = parseConfig('repositories:\n  web: {url: /srv/web, min_files: 10, restore_drill: {path: /c, max_age: 2d}}\n', {});
  assert.deepEqual(config.checks[0]!.signals, { minFiles: 10, restoreDrill: { path: '/c', intervalMs: DAY, maxAgeMs: 2 * DAY } });
});

test('bad restore_drill values: each names its key and says what is wrong', () => {
  assert.deepEqual(
    configProblems(`defaults:
  url: /srv/{{ .Name }}
repositories:
  a: {restore_drill: {interval: 1d}}
  b: {restore_drill: {path: var/lib/backup-canary}}
  c: {restore_drill: {path: /c, interval: 6x, max_age: "0s"}}
  d: {restore_drill: {path: /c, maxage: 1d}}
  e: {restore_drill: /var/lib/backup-canary}
  f: {restore_drill: {path: 42}}
  g: {restore_drill: {}}
  h:
    hosts:
      web1: {restore_drill: {path: /c, every: 1d}}
`),
    [
      'repositories.a.restore_drill.path: missing (the file the backup job writes a timestamp into before each backup, e.g. /var/lib/backup-canary)',
      'repositories.b.restore_drill.path: "var/lib/backup-canary" is not an absolute path (write it as the backup saw it, e.g. /var/lib/backup-canary)',
      'repositories.c.restore_drill.interval: "6x" is not a duration (e.g. 1d, 6h, 30m, 1h30m)',
      'repositories.c.restore_drill.max_age: "0s" must be more than zero',
      'repositories.d.restore_drill: unknown key "maxage" (did you mean "max_age"?)',
      'repositories.e.restore_drill: expected a mapping, or false to switch off the one set in defaults, got a string',
      'repositories.f.restore_drill.path: expected a string, got a number (put it in quotes)',
      'repositories.g.restore_drill.path: missing (the file the backup job writes a timestamp into before each backup, e.g. /var/lib/backup-canary)',
      'repositories.h.hosts.web1.restore_drill: unknown key "every"',
    ],
  );
});

test('mode fast by name cannot drill; auto, and fast by RESTIC_MONITOR_FAST, pick restic and validate says why', () => {
  assert.deepEqual(configProblems('repositories:\n  web: {url: /srv/web, mode: fast, restore_drill: {path: /c}}\n'), [
    'repositories.web: mode fast cannot check restore_drill (it sees no snapshot contents): use mode restic or auto',
  ]);
  const config = parseConfig('repositories:\n  web: {url: /srv/web, mode: auto, restore_drill: {path: /c}}\n  db: {url: /srv/db, restore_drill: {path: /c}}\n', { RESTIC_MONITOR_FAST: 'true' });
  const plan = planChecks(config.checks);
  assert.deepEqual(
    config.checks.map((check) => describePlan(plan.of(check))),
    ['restic (restore_drill needs restic mode)', 'restic (restore_drill needs restic mode)'],
  );
});

test('restore_drill: false on a repository or host switches off the drill set in defaults', () => {
  const config = parseConfig(
    'defaults:\n  url: /srv/{{ .Name }}\n  restore_drill: {path: /var/lib/backup-canary}\nrepositories:\n  web: {}\n  scratch: {restore_drill: false}\n  fleet:\n    hosts:\n      web1:\n      web2: {restore_drill: false}\n',
    {},
  );
  assert.deepEqual(
    config.checks.map((check) => [check.name, check.signals?.restoreDrill?.path]),
    [
      ['web', '/var/lib/backup-canary'],
      ['scratch', undefined],
      ['fleet/web1', '/var/lib/backup-canary'],
      ['fleet/web2', undefined],
    ],
  );
});
