import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describePlan, planChecks } from '../../src/checkers/plan.js';
import { formatValidation } from '../../src/cli/format.js';
import { primariesFirst } from '../../src/run/primary-looks.js';
import { parseConfig } from '../../src/config/parse.js';
import { Redactor } from '../../src/redact.js';
import { configProblems } from '../helpers/config-problems.js';

const HOUR = 3_600_000;

test('mirror_of names a check; max_lag from the check, from defaults, else its max_age; hosts of a copy follow the hosts of their primary', () => {
  const config = parseConfig(
    `defaults:
  url: /srv/{{ .Name }}
  max_lag: 12h
repositories:
  nas: {}
  offsite: {mirror_of: nas}
  cold: {mirror_of: offsite, max_lag: 3d}
  fleet:
    hosts: {web1: , web2: }
  fleet-copy:
    mirror_of: fleet
    hosts:
      web1:
      web2: {max_lag: 2h}
  one: {mirror_of: fleet/web2}
`,
    {},
  );
  assert.deepEqual(
    config.checks.map((check) => [check.name, check.mirrorOf, check.signals?.maxLagMs]),
    [
      ['nas', undefined, undefined],
      ['offsite', 'nas', 12 * HOUR],
      ['cold', 'offsite', 72 * HOUR],
      ['fleet/web1', undefined, undefined],
      ['fleet/web2', undefined, undefined],
      ['fleet-copy/web1', 'fleet/web1', 12 * HOUR],
      ['fleet-copy/web2', 'fleet/web2', 2 * HOUR],
      ['one', 'fleet/web2', 12 * HOUR],
    ],
  );
  const noDefault = parseConfig('repositories:\n  nas: {url: /srv/nas}\n  copy: {url: /srv/copy, mirror_of: nas, max_age: 6h}\n', {});
  assert.equal(noDefault.checks[1]!.signals?.maxLagMs, 6 * HOUR, 'max_lag defaults to the check\'s max_age');
});

test('a copy stays in fast mode (file times need no password); validate shows mirror_of and max_lag', () => {
  const config = parseConfig('repositories:\n  nas: {url: /srv/nas, mode: fast}\n  copy: {url: /srv/copy, mode: fast, mirror_of: nas, max_lag: 1d}\n', {});
  assert.equal(describePlan(planChecks(config.checks).of(config.checks[1]!)), 'fast (local directory)');
  const shown = JSON.parse(formatValidation(config, new Redactor([]), true)) as { repositories: Record<string, Record<string, unknown>> };
  assert.equal(shown.repositories.copy!.mirror_of, 'nas');
  assert.equal(shown.repositories.copy!.max_lag, '1d');
  assert.equal(shown.repositories.nas!.mirror_of, undefined);
});

test('bad mirror_of and max_lag values: each names its key and says what is wrong', () => {
  assert.deepEqual(
    configProblems(`defaults:
  url: /srv/{{ .Name }}
  mirror_of: nas
repositories:
  nas: {max_lag: 1d}
  typo: {mirror_of: nsa}
  self: {mirror_of: self}
  far: {mirror_of: elsewhere}
  empty: {mirror_of: ""}
  badlag: {mirror_of: nas, max_lag: 1x}
  numlag: {mirror_of: nas, max_lag: 5}
  fleet:
    hosts: {web1: , web2: }
  copy: {mirror_of: fleet}
  a: {mirror_of: b}
  b: {mirror_of: c}
  c: {mirror_of: a}
`),
    [
      'defaults.mirror_of: not allowed here: each copy names its own primary: in defaults every repository, the primary too, would be a copy of it',
      'repositories.nas.max_lag: set, but mirror_of is not (max_lag limits how far a copy trails its primary)',
      'repositories.empty.mirror_of: is empty',
      'repositories.badlag.max_lag: "1x" is not a duration (e.g. 1d, 6h, 30m, 1h30m)',
      'repositories.numlag.max_lag: expected a string, got a number (put it in quotes)',
      'repositories.typo.mirror_of: "nsa" is not a check of this config (did you mean "nas"?)',
      'repositories.self.mirror_of: "self" is this check itself (a copy needs another repository as its primary)',
      'repositories.far.mirror_of: "elsewhere" is not a check of this config',
      'repositories.copy.mirror_of: "fleet" has hosts: name one of them (fleet/web1, fleet/web2)',
      'repositories.a.mirror_of: "b" makes a cycle (a → b → c → a): a primary cannot be a copy of its own copy',
    ],
  );
});

test('a host entry that sets mirror_of is named in the message; a host of a copy without a host of that name in its primary is unknown', () => {
  assert.deepEqual(
    configProblems(`defaults:
  url: /srv/{{ .Name }}
repositories:
  fleet:
    hosts: {web1: }
  copy:
    mirror_of: fleet
    hosts:
      web1:
      web9:
      db: {mirror_of: flet/web1}
`),
    [
      'repositories.copy.mirror_of: "fleet" has hosts: name one of them (fleet/web1)',
      'repositories.copy.hosts.db.mirror_of: "flet/web1" is not a check of this config (did you mean "fleet/web1"?)',
    ],
  );
});

test('primariesFirst: each primary before its copies, config order otherwise', () => {
  const checks = [{ name: 'copy2', mirrorOf: 'copy' }, { name: 'x' }, { name: 'copy', mirrorOf: 'nas' }, { name: 'nas' }, { name: 'y', mirrorOf: 'x' }];
  assert.deepEqual(
    primariesFirst(checks).map((check) => check.name),
    ['nas', 'copy', 'copy2', 'x', 'y'],
  );
});
