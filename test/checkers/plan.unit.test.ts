import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planChecks, shareKey } from '../../src/checkers/plan.js';
import { parseConfig } from '../../src/config/parse.js';

const config = parseConfig(
  `repositories:
  nas:
    url: /srv/restic/nas
    hosts: { web1: {}, web2: {} }
  alone:
    url: rest:http://127.0.0.1:1/alone
  bucket:
    url: s3:http://127.0.0.1:1/bucket/repo
    mode: auto
  bucket-too:
    url: s3:http://127.0.0.1:1/bucket/repo
    mode: fast
`,
  {},
);
const by = (plan: ReturnType<typeof planChecks>) => Object.fromEntries(plan.checks.map((check) => [check.check.name, [check.kind, check.group !== undefined]]));

test('planChecks: one checker kind per check, and the restic checks of one repository share one run', () => {
  const plan = planChecks(config.checks);
  assert.deepEqual(by(plan), {
    'nas/web1': ['restic', true],
    'nas/web2': ['restic', true],
    alone: ['restic', false],
    bucket: ['s3', false],
    'bucket-too': ['s3', false],
  });
  assert.deepEqual([...plan.groups.keys()], [shareKey(config.checks[0]!)]);
  assert.deepEqual(plan.groups.get(shareKey(config.checks[0]!))!.map((r) => r.name), ['nas/web1', 'nas/web2']);
  assert.equal(plan.of(config.checks[1]!).group, plan.of(config.checks[0]!).group);
});

test('planChecks: a kind not at hand is served by restic, and a restic that cannot list shares nothing', () => {
  const resticAlone = planChecks(config.checks, { kinds: new Set(['restic']), shareRestic: true });
  assert.deepEqual(by(resticAlone), {
    'nas/web1': ['restic', true],
    'nas/web2': ['restic', true],
    alone: ['restic', false],
    bucket: ['restic', true],
    'bucket-too': ['restic', true],
  });
  const noSharing = planChecks(config.checks, { kinds: new Set(['restic', 's3']), shareRestic: false });
  assert.equal(noSharing.groups.size, 0);
  assert.ok(noSharing.checks.every((check) => check.group === undefined));
});
