import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planChecks } from '../../src/checkers/plan.js';
import { describePlan } from '../../src/checkers/plan.js';
import { formatValidation } from '../../src/cli/format.js';
import { parseConfig } from '../../src/config/parse.js';
import { Redactor } from '../../src/redact.js';
import { configProblems } from '../helpers/config-problems.js';

const MiB = 2 ** 20;

test('signals per repository, per host and in defaults; the nearest layer wins, 0 and 100% switch one off', () => {
  const config = parseConfig(
    `defaults:
  url: /srv/{{ .Name }}
  min_files: 100
  max_shrink: 50%
repositories:
  web:
    min_size: 10MiB
  fleet:
    min_snapshots: 7
    hosts:
      web1:
      web2: {min_files: 0, max_shrink: 100%, min_snapshots: 3}
  plain:
    min_files: 0
    max_shrink: 100%
`,
    {},
  );
  assert.deepEqual(
    config.checks.map((check) => [check.name, check.signals]),
    [
      ['web', { minFiles: 100, minBytes: 10 * MiB, maxShrink: 0.5 }],
      ['fleet/web1', { minFiles: 100, maxShrink: 0.5, minSnapshots: 7 }],
      ['fleet/web2', { minSnapshots: 3 }],
      ['plain', undefined],
    ],
  );
});

test('bad signal values: each names its key and says what is wrong', () => {
  assert.deepEqual(
    configProblems(`defaults:
  url: /srv/{{ .Name }}
  max_shrink: 150%
repositories:
  a: {min_files: -3, min_size: 10M, min_snapshots: "5"}
  b: {max_shrink: 0.5, min_size: [1]}
  c:
    hosts:
      web1: {min_files: 1.5, max_shrink: half}
`),
    [
      'repositories.a.min_snapshots: expected a whole number, got a string',
      'repositories.a.min_files: -3 is not a whole number of 0 or more',
      'repositories.a.min_size: "10M" is not a size (write it like 10MiB, 1.5GB, 500KiB or a number of bytes)',
      'defaults.max_shrink: "150%" is out of range (0% to 100%)',
      'repositories.b.min_size: expected a single value, got a list',
      'repositories.b.max_shrink: 0.5 is not a percentage (write it like 50%)',
      'repositories.c.hosts.web1.min_files: expected a whole number, got a number',
      'repositories.c.hosts.web1.max_shrink: "half" is not a percentage (write it like 50%)',
    ],
  );
});

test('mode fast asked for by name cannot serve a signal: a config error at the check', () => {
  assert.deepEqual(configProblems('repositories:\n  web: {url: /srv/web, mode: fast, min_files: 10, max_shrink: 50%}\n'), [
    'repositories.web: mode fast cannot check min_files, max_shrink (it sees no snapshot contents): use mode restic or auto',
  ]);
  assert.deepEqual(configProblems('defaults: {mode: fast}\nrepositories:\n  fleet:\n    url: /srv/fleet\n    hosts:\n      web1: {min_snapshots: 3}\n'), [
    'repositories.fleet.hosts.web1: mode fast cannot check min_snapshots (it sees no snapshot contents): use mode restic or auto',
  ]);
});

test('mode auto, and fast by RESTIC_MONITOR_FAST, pick restic for a check with a signal; validate says why', () => {
  const text = 'repositories:\n  web: {url: /srv/web, mode: auto, min_size: 1.5GB}\n  db: {url: /srv/db, min_snapshots: 3, max_shrink: 25%}\n  plain: {url: /srv/plain}\n';
  const config = parseConfig(text, { RESTIC_MONITOR_FAST: 'true' });
  const plan = planChecks(config.checks);
  assert.deepEqual(
    config.checks.map((check) => describePlan(plan.of(check))),
    ['restic (min_size needs restic mode)', 'restic (max_shrink, min_snapshots need restic mode)', 'fast (local directory)'],
  );
  const shown = formatValidation(config, new Redactor([]), true);
  const repositories = (JSON.parse(shown) as { repositories: Record<string, Record<string, unknown>> }).repositories;
  assert.equal(repositories.web!.min_size, 1_500_000_000);
  assert.equal(repositories.web!.mode, 'restic (min_size needs restic mode)');
  assert.deepEqual([repositories.db!.max_shrink, repositories.db!.min_snapshots], ['25%', 3]);
  const mib = parseConfig('repositories:\n  web: {url: /srv/web, min_size: 10MiB}\n', {});
  assert.equal((JSON.parse(formatValidation(mib, new Redactor([]), true)) as { repositories: { web: { min_size: string } } }).repositories.web.min_size, '10MiB');
});

test('max_lock_age: a duration per repository, host entry or defaults; fast mode keeps it on local, S3 and rclone repositories', () => {
  const config = parseConfig(
    `defaults:
  url: /srv/{{ .Name }}
  mode: auto
  max_lock_age: 2h
repositories:
  web: {}
  bucket: {url: "s3:https://s3.example.test/b/web", max_lock_age: 90m}
  remote: {url: "rclone:remote:web"}
  fleet:
    min_files: 1
    hosts:
      web1: {max_lock_age: 1d}
`,
    {},
  );
  assert.deepEqual(
    config.checks.map((check) => [check.name, check.signals]),
    [
      ['web', { maxLockAgeMs: 7_200_000 }],
      ['bucket', { maxLockAgeMs: 5_400_000 }],
      ['remote', { maxLockAgeMs: 7_200_000 }],
      ['fleet/web1', { minFiles: 1, maxLockAgeMs: 86_400_000 }],
    ],
  );
  const plan = planChecks(config.checks);
  assert.deepEqual(
    config.checks.map((check) => describePlan(plan.of(check))),
    ['fast (local directory)', 'fast (S3 listing)', 'fast (rclone listing)', 'restic (host/tags/paths filters need restic mode)'],
  );
  const shown = JSON.parse(formatValidation(config, new Redactor([]), true)) as { repositories: Record<string, Record<string, unknown>> };
  assert.equal(shown.repositories.web!.max_lock_age, '2h');
  assert.equal(shown.repositories.bucket!.max_lock_age, '1h30m');
});

test('max_lock_age: bad values name the key; mode fast by name takes it, but not beside a signal that needs restic', () => {
  assert.deepEqual(
    configProblems(`defaults:
  url: /srv/{{ .Name }}
repositories:
  a: {max_lock_age: 2}
  b: {max_lock_age: "0s"}
  c: {max_lock_age: 2 hours}
  d: {max_lock_age: [2h]}
`),
    [
      'repositories.a.max_lock_age: expected a string, got a number (put it in quotes)',
      'repositories.b.max_lock_age: "0s" must be more than zero',
      'repositories.c.max_lock_age: "2 hours" is not a duration (e.g. 1d, 6h, 30m, 1h30m)',
      'repositories.d.max_lock_age: expected a string, got a list',
    ],
  );
  assert.deepEqual(configProblems('repositories:\n  web: {url: "rclone:remote:web", mode: fast, max_lock_age: 2h, min_files: 3}\n'), [
    'repositories.web: mode fast cannot check min_files (it sees no snapshot contents): use mode restic or auto',
  ]);
  const local = parseConfig('repositories:\n  web: {url: /srv/web, mode: fast, max_lock_age: 2h}\n', {});
  assert.equal(describePlan(planChecks(local.checks).of(local.checks[0]!)), 'fast (local directory)');
});
