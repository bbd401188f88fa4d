import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CheckError } from '../../src/checkers/checker.js';
import { withDeadline } from '../../src/checkers/deadline.js';
import { localRepositoryPath } from '../../src/urls/local.js';
import { describeRcloneFailure, newestModTime } from '../../src/checkers/rclone/rclone.js';
import { rcloneRemote, snapshotsDir } from '../../src/urls/rclone.js';
import { resticArgs } from '../../src/checkers/restic/restic.js';
import { shareKey } from '../../src/checkers/plan.js';
import { describeFilter, matches } from '../../src/checkers/snapshot-filter.js';
import { parseConfig } from '../../src/config/parse.js';
import { buildHealthchecksUrl, interpretHealthchecks } from '../../src/push/healthchecks.js';
import { decide } from '../../src/verdict.js';

const ID = 'a'.repeat(64);
const repo = (yaml: string) => parseConfig(`repositories:\n  r:\n    url: /srv/r\n${yaml}`, {}).checks[0]!;

test('local paths are what restic reads as local; other backends are not', () => {
  const table: Array<[string, string | undefined]> = [
    ['/srv/restic', '/srv/restic'],
    ['local:/srv/restic', '/srv/restic'],
    ['relative/repo', 'relative/repo'],
    ['/mnt/share:with-colon', '/mnt/share:with-colon'],
    ['local:', undefined],
    ['s3:https://s3.example.com/bucket', undefined],
    ['sftp:user@host:/srv', undefined],
    ['rest:http://127.0.0.1:8000/', undefined],
    ['rclone:remote:path', undefined],
    ['b2:bucket:path', undefined],
  ];
  for (const [url, expected] of table) assert.equal(localRepositoryPath(url), expected, url);
});

test('rclone URLs name a remote; the snapshots directory is joined as rclone joins it', () => {
  const table: Array<[string, string | undefined, string | undefined]> = [
    ['rclone:nas:backup/restic', 'nas:backup/restic', 'nas:backup/restic/snapshots/'],
    ['rclone:nas:backup/restic/', 'nas:backup/restic/', 'nas:backup/restic/snapshots/'],
    ['rclone:nas:', 'nas:', 'nas:snapshots/'],
    ['rclone:nas:/', 'nas:/', 'nas:/snapshots/'],
    ['rclone:no-colon', undefined, undefined],
    ['/srv/restic', undefined, undefined],
  ];
  for (const [url, remote, dir] of table) {
    assert.equal(rcloneRemote(url), remote, url);
    if (remote) assert.equal(snapshotsDir(remote), dir, url);
  }
});

test('rclone failures are described from its exit code and log lines', () => {
  assert.equal(
    describeRcloneFailure({ code: 1, stderrTail: '2026/11/22 02:16:41 Failed to create file system for "x:y": didn\'t find section in config file\n' }, 'x:y'),
    'rclone remote "x" is not configured',
  );
  assert.equal(describeRcloneFailure({ code: 3, stderrTail: '2026/11/22 02:16:41 ERROR : : error listing: directory not found\n' }, 'x:y'), 'not a restic repository (no snapshots/ directory at x:y)');
  assert.equal(
    describeRcloneFailure({ code: 7, stderrTail: '2026/11/22 02:16:41 ERROR : snapshots: AccessDenied: access denied\n' }, 'x:y'),
    'rclone exited with code 7: snapshots: AccessDenied: access denied',
  );
  assert.equal(describeRcloneFailure({ code: null, stderrTail: '' }, 'x:y'), 'rclone was killed');
});

test('lsjson output: the newest ModTime among snapshot files, other names ignored', () => {
  const out = JSON.stringify([
    { Name: ID, ModTime: '2026-11-22T02:16:38.828773488+01:00', IsDir: false },
    { Name: 'b'.repeat(64), ModTime: '2026-11-22T01:20:00Z', IsDir: false },
    { Name: '.DS_Store', ModTime: '2030-01-01T00:00:00Z', IsDir: false },
  ]);
  assert.deepEqual(newestModTime(out), { latest: new Date('2026-11-22T01:20:00Z'), snapshots: 2 });
  assert.deepEqual(newestModTime('[]'), { latest: null, snapshots: 0 });
  assert.throws(() => newestModTime('ERROR'), new CheckError('unreadable output from rclone: not JSON'));
  assert.throws(() => newestModTime(JSON.stringify([{ Name: ID, ModTime: 'yesterday' }])), new CheckError('unreadable output from rclone: aaaaaaaa has no readable ModTime'));
});

test('filters test a snapshot as restic 0.14 does', () => {
  const snapshot = { time: new Date(), hostname: 'web1', tags: ['daily', 'db'], paths: ['/etc', '/var/lib'] };
  const filter = (host: string | undefined, tags: string[] = [], paths: string[] = []) => ({ host, tags, paths });
  assert.equal(matches(snapshot, filter(undefined)), true);
  assert.equal(matches(snapshot, filter('web1', ['daily', 'db'], ['/etc'])), true);
  assert.equal(matches(snapshot, filter('web2')), false);
  assert.equal(matches(snapshot, filter('web1', ['daily', 'weekly'])), false, 'every tag is required');
  assert.equal(matches(snapshot, filter('web1', [], ['/etc/'])), false, 'paths compare as written');
  assert.equal(describeFilter(filter('web1')), 'host web1');
  assert.equal(describeFilter(filter(undefined, ['daily', 'db'], ['/etc'])), 'tags daily, db; path /etc');
  assert.equal(describeFilter(filter(undefined)), undefined);
});

test('restic is asked for every snapshot only when tags need it', () => {
  assert.deepEqual(resticArgs(repo('')), ['snapshots', '--json', '--no-lock', '--group-by', 'host,paths', '--latest', '1']);
  assert.deepEqual(resticArgs(repo(''), { everySnapshot: true }), ['snapshots', '--json', '--no-lock']);
});

test('checks share a restic run only with the same URL, credentials and options', () => {
  const base = repo('    host: web1\n    max_age: 6h\n    extra_env: { B: "2", A: "1" }\n');
  assert.equal(shareKey(base), shareKey(repo('    host: web2\n    extra_env: { A: "1", B: "2" }\n')));
  assert.notEqual(shareKey(base), shareKey(repo('    extra_env: { A: "1", B: "3" }\n')));
  assert.notEqual(shareKey(base), shareKey(repo('    extra_env: { A: "1", B: "2" }\n    cache_dir: "off"\n')));
});

test('ping URLs: down appends /fail, the query string is kept', () => {
  assert.equal(buildHealthchecksUrl('https://hc-ping.com/uuid', { status: 'up' }).href, 'https://hc-ping.com/uuid');
  assert.equal(buildHealthchecksUrl('https://hc-ping.com/uuid/', { status: 'down' }).href, 'https://hc-ping.com/uuid/fail');
  assert.equal(buildHealthchecksUrl('https://hc.example.com/ping/key/slug?create=1', { status: 'down' }).href, 'https://hc.example.com/ping/key/slug/fail?create=1');
});

test('ping answers: recorded, not found, ambiguous, retried', () => {
  assert.deepEqual(interpretHealthchecks(200, 'OK'), { retry: false });
  assert.deepEqual(interpretHealthchecks(201, 'Created'), { retry: false });
  assert.equal(interpretHealthchecks(200, 'OK (not found)').error?.reason, 'healthchecks: check not found (HTTP 200)');
  assert.equal(interpretHealthchecks(404, 'not found').error?.reason, 'healthchecks: check not found (HTTP 404)');
  assert.equal(interpretHealthchecks(409, 'ambiguous slug').error?.reason, 'healthchecks: slug matches more than one check (HTTP 409)');
  assert.deepEqual([interpretHealthchecks(429, 'rate limited').retry, interpretHealthchecks(502, '<html>').retry, interpretHealthchecks(400, 'bad').retry], [true, true, false]);
  assert.equal(interpretHealthchecks(502, '<html>bad gateway</html>').error?.reason, 'healthchecks: HTTP 502');
});

test('a file system call that never returns is abandoned at the deadline or on abort', async () => {
  const never = new Promise<never>(() => undefined);
  await assert.rejects(withDeadline(never, 20, new AbortController().signal), new CheckError('timed out after 20ms'));
  const controller = new AbortController();
  const pending = withDeadline(never, 60_000, controller.signal);
  controller.abort();
  await assert.rejects(pending, new CheckError('aborted'));
  assert.equal(await withDeadline(Promise.resolve(7), 1000, new AbortController().signal), 7);
});

test('an empty result of a filtered check names what it looked for', () => {
  const now = new Date('2026-11-22T12:00:00Z');
  assert.deepEqual(decide({ latest: null, scope: 'host web1' }, 3_600_000, now), { status: 'down', message: 'no snapshots for host web1', ageMs: null });
  assert.equal(decide({ latest: null }, 3_600_000, now).message, 'no snapshots');
});
