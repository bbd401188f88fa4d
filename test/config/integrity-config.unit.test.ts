import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatValidation } from '../../src/cli/format.js';
import { readDataSubset } from '../../src/integrity/settings.js';
import { parseConfig } from '../../src/config/parse.js';
import { Redactor } from '../../src/redact.js';
import { configProblems } from '../helpers/config-problems.js';

const DAY = 86_400_000;

test('integrity: per repository or in defaults, merged sub-key by sub-key; defaults 1w and 6h; host checks carry their repository\'s', () => {
  const config = parseConfig(
    `defaults:
  url: /srv/{{ .Name }}
  integrity: {interval: 2w}
repositories:
  web:
    integrity: {read_data_subset: 5%}
  db:
    integrity: {interval: 1d, read_data_subset: 1/10, timeout: 30m}
  big:
    integrity: {read_data_subset: 500MiB}
  fleet:
    hosts:
      web1:
      web2:
`,
    {},
  );
  assert.deepEqual(
    config.checks.map((check) => [check.name, check.integrity]),
    [
      ['web', { intervalMs: 14 * DAY, timeoutMs: 6 * 3_600_000, readDataSubset: '5%' }],
      ['db', { intervalMs: DAY, timeoutMs: 1_800_000, readDataSubset: '1/10' }],
      ['big', { intervalMs: 14 * DAY, timeoutMs: 6 * 3_600_000, readDataSubset: `${500 * 2 ** 20}b` }],
      ['fleet/web1', { intervalMs: 14 * DAY, timeoutMs: 6 * 3_600_000 }],
      ['fleet/web2', { intervalMs: 14 * DAY, timeoutMs: 6 * 3_600_000 }],
    ],
  );
  const plain = parseConfig('repositories:\n  web: {url: /srv/web, integrity: {}}\n  other: {url: /srv/other}\n', {});
  assert.deepEqual(plain.checks[0]!.integrity, { intervalMs: 7 * DAY, timeoutMs: 6 * 3_600_000 });
  assert.equal(plain.checks[1]!.integrity, undefined);
  // validate says what it does, and that only the daemon does it.
  const shown = JSON.parse(formatValidation(config, new Redactor([]), true)) as { repositories: Record<string, Record<string, unknown>> };
  assert.equal(shown.repositories.web!.integrity, 'every 14d, read_data_subset 5%, timeout 6h (daemon only)');
  assert.equal(shown.repositories.big!.integrity, 'every 14d, read_data_subset 524288000 bytes, timeout 6h (daemon only)');
  assert.equal(shown.repositories.db!.integrity, 'every 1d, read_data_subset 1/10, timeout 30m (daemon only)');
});

test('read_data_subset: the forms restic takes, handed to it as it reads them', () => {
  assert.deepEqual(readDataSubset('5%'), { value: 5, arg: '5%' });
  assert.deepEqual(readDataSubset('0.5%'), { value: 0.5, arg: '0.5%' });
  assert.deepEqual(readDataSubset('100%'), { value: 100, arg: '100%' });
  assert.deepEqual(readDataSubset('1/10'), { value: 0.1, arg: '1/10' });
  assert.deepEqual(readDataSubset('3/3'), { value: 1, arg: '3/3' });
  assert.deepEqual(readDataSubset('500MiB'), { value: 524_288_000, arg: '524288000b' });
  assert.deepEqual(readDataSubset('2GB'), { value: 2e9, arg: '2000000000b' });
});

test('integrity: every bad value names the sub-key and where it was written', () => {
  assert.deepEqual(
    configProblems(`defaults:
  url: /srv/{{ .Name }}
  integrity: {intervall: 1w}
repositories:
  a: {integrity: {read_data_subset: 0%}}
  b: {integrity: {read_data_subset: 101%}}
  c: {integrity: {read_data_subset: 0/5}}
  d: {integrity: {read_data_subset: 5/4}}
  e: {integrity: {read_data_subset: 500M}}
  f: {integrity: {read_data_subset: "5"}}
  g: {integrity: {read_data_subset: lots}}
  h: {integrity: {read_data_subset: 0MiB}}
  i: {integrity: {interval: 1 week}}
  j: {integrity: {interval: "0s"}}
  k: {integrity: {timeout: 30d}}
  l: {integrity: {read_data_subset: 5}}
  m: {integrity: true}
  n: {integrity: {timout: 1h}}
`),
    [
      'defaults.integrity: unknown key "intervall" (did you mean "interval"?)',
      'repositories.a.integrity.read_data_subset: "0%" is out of range (above 0% and at most 100%)',
      'repositories.b.integrity.read_data_subset: "101%" is out of range (above 0% and at most 100%)',
      'repositories.c.integrity.read_data_subset: "0/5" is not a group of packs (n/t needs 1 <= n <= t, e.g. 1/10)',
      'repositories.d.integrity.read_data_subset: "5/4" is not a group of packs (n/t needs 1 <= n <= t, e.g. 1/10)',
      'repositories.e.integrity.read_data_subset: "500M" is not a percentage, a group or a size (write it like 5%, 1/10 or 500MiB)',
      'repositories.f.integrity.read_data_subset: "5" has no unit (write it like 5%, 1/10 or 500MiB)',
      'repositories.g.integrity.read_data_subset: "lots" is not a percentage, a group or a size (write it like 5%, 1/10 or 500MiB)',
      'repositories.h.integrity.read_data_subset: "0MiB" must be more than zero',
      'repositories.i.integrity.interval: "1 week" is not a duration (e.g. 1d, 6h, 30m, 1h30m)',
      'repositories.j.integrity.interval: "0s" must be more than zero',
      'repositories.k.integrity.timeout: "30d" is too long: at most 24d20h31m23s (the longest a timer can wait)',
      'repositories.l.integrity.read_data_subset: expected a string, got a number (put it in quotes)',
      'repositories.m.integrity: expected a mapping, or false to switch off the one set in defaults, got a boolean',
      'repositories.n.integrity: unknown key "timout" (did you mean "timeout"?)',
    ],
  );
});

test('integrity: not in a host entry, with the reason', () => {
  assert.deepEqual(configProblems('repositories:\n  fleet:\n    url: /srv/fleet\n    hosts:\n      web1: {integrity: {interval: 1d}}\n'), [
    'repositories.fleet.hosts.web1.integrity: not allowed here: integrity is checked once per repository: set it on the repository, and its hosts share the result',
  ]);
});

test('integrity: false on a repository switches off the one set in defaults', () => {
  const config = parseConfig('defaults:\n  url: /srv/{{ .Name }}\n  integrity: {interval: 1d}\nrepositories:\n  web: {}\n  scratch: {integrity: false}\n', {});
  assert.deepEqual(
    config.checks.map((check) => [check.name, check.integrity]),
    [
      ['web', { intervalMs: DAY, timeoutMs: 6 * 3_600_000 }],
      ['scratch', undefined],
    ],
  );
});
