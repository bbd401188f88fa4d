// The walk below a location (any lister), the URL forms it builds and compares, and how what
// was found is sorted into checks, unmonitored repositories and down rows.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfig } from '../../src/config/parse.js';
import { carryOver, sortFound, type LocationWalk } from '../../src/discover/discover.js';
import { identifyWith } from '../../src/discover/identity.js';
import { aliasOrLoop } from '../../src/discover/listers.js';
import { findRepositories, isRepository, WalkError, type DirListing } from '../../src/discover/walk.js';
import { childUrl, normalizeRepositoryUrl, rootName } from '../../src/urls/discover.js';

/** A tree as nested objects: a string value is a file, an object a folder. */
type Tree = { [name: string]: Tree | string };
const repo = (): Tree => ({ config: 'x', keys: { k: 'x' }, data: { '00': { pack: 'x' } }, snapshots: {} });

function lister(tree: Tree, listed: string[] = []) {
  return async (path: readonly string[]): Promise<DirListing> => {
    listed.push(path.join('/'));
    let node: Tree = tree;
    for (const part of path) node = node[part] as Tree;
    const entries = Object.entries(node);
    return { dirs: entries.filter(([, v]) => typeof v !== 'string').map(([k]) => k), files: entries.filter(([, v]) => typeof v === 'string').map(([k]) => k) };
  };
}

test('a repository is a folder with config beside keys/ or snapshots/', () => {
  assert.equal(isRepository({ files: ['config'], dirs: ['keys', 'data'] }), true);
  assert.equal(isRepository({ files: ['config'], dirs: ['snapshots'] }), true);
  assert.equal(isRepository({ files: ['config'], dirs: ['etc'] }), false);
  assert.equal(isRepository({ files: ['readme'], dirs: ['keys', 'snapshots'] }), false);
});

test('the walk stops at each repository (its data/ is never listed), goes at most 4 levels deep, and sorts what it found', async () => {
  const tree: Tree = {
    nas: repo(),
    host1: { web: repo(), db: repo() },
    notes: { readme: 'x' },
    a: { b: { c: { d: repo(), e: { f: repo() } } } },
  };
  const listed: string[] = [];
  const found = await findRepositories(lister(tree, listed));
  assert.deepEqual(found, [['a', 'b', 'c', 'd'], ['host1', 'db'], ['host1', 'web'], ['nas']]);
  assert.ok(!listed.some((path) => path.includes('data') || path.includes('keys')), listed.join(' '));
  // a/b/c/e is the 4th level: listed, found no repository; a/b/c/e/f (5th) is not listed.
  assert.ok(listed.includes('a/b/c/e') && !listed.includes('a/b/c/e/f'));
  assert.deepEqual(await findRepositories(lister(repo())), [[]]);
});

test('a location with more folders than the bound is a failure, not a partial answer', async () => {
  const wide: Tree = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`d${i}`, { x: 'y' }]));
  await assert.rejects(findRepositories(lister(wide), { maxListings: 10 }), (error: unknown) => {
    assert.ok(error instanceof WalkError);
    assert.equal(error.message, 'more than 10 folders to list (1 levels deep): point discover at a narrower prefix');
    return true;
  });
});

test('URLs of found repositories keep the location\'s form; equal repositories normalize alike', () => {
  assert.equal(childUrl('s3:https://h/b/p/', ['x', 'y']), 's3:https://h/b/p/x/y');
  assert.equal(childUrl('s3:h/b', ['x']), 's3:h/b/x');
  assert.equal(childUrl('rclone:nas:', ['x']), 'rclone:nas:x');
  assert.equal(childUrl('rclone:nas:/srv', ['x']), 'rclone:nas:/srv/x');
  assert.equal(childUrl('/srv', []), '/srv');
  const same = (a: string, b: string) => assert.equal(normalizeRepositoryUrl(a), normalizeRepositoryUrl(b), `${a} = ${b}`);
  same('s3:host/b/p', 's3:https://HOST:443/b/p/');
  same('s3://host/b/p', 's3:https://host/b/./p');
  same('/srv/r/', 'local:/srv/r');
  same('rclone:nas:/r/', 'rclone:nas:/r');
  assert.notEqual(normalizeRepositoryUrl('s3:http://host/b/p'), normalizeRepositoryUrl('s3:https://host/b/p'));
  assert.notEqual(normalizeRepositoryUrl('s3:https://host/b/p'), normalizeRepositoryUrl('s3:https://host/b/p2'));
  assert.equal(rootName('s3:https://h/b/p/'), 'p');
  assert.equal(rootName('rclone:nas:'), 'repository');
});

const config = parseConfig(
  `repositories:
  web: {url: "s3:host/b/p/host1/web"}
  taken: {url: /elsewhere}
discover:
  - url: s3:https://host/b/p
  - {url: /srv, check: false}
  - url: rclone:nas:/r
`,
  {},
);
const [s3, local, rclone] = config.discover!.locations;
const walk = (location: typeof s3, paths?: string[][], failure?: string): LocationWalk => ({ location: location!, ...(paths && { paths }), ...(failure && { failure }), requests: 3, durationMs: 5 });
const AT = new Date('2026-01-02T03:04:05Z');

test('found repositories: configured ones are covered, a taken name stays with the configured check, check: false only reports', () => {
  const found = sortFound(config, [walk(s3, [['host1', 'web'], ['host2', 'mail'], ['taken']]), walk(local, [['a'], ['b', 'c']]), walk(rclone, [['x']])], AT, (text) => text);
  assert.deepEqual(found.checks.map((check) => [check.name, check.url]), [
    ['host2/mail', 's3:https://host/b/p/host2/mail'],
    ['x', 'rclone:nas:/r/x'],
  ]);
  assert.deepEqual(found.unmonitored, [
    { name: 'taken', url: 's3:https://host/b/p/taken', location: 's3:https://host/b/p', reason: 'its name "taken" is taken by the configured check "taken"', foundAt: AT },
    { name: 'a', url: '/srv/a', location: '/srv', reason: 'no check has this url', foundAt: AT },
    { name: 'b/c', url: '/srv/b/c', location: '/srv', reason: 'no check has this url', foundAt: AT },
  ]);
  assert.deepEqual(found.failures, []);
});

test('a location that cannot be listed is a down row; the daemon keeps what it found there before', () => {
  const first = sortFound(config, [walk(s3, [['host2', 'mail']]), walk(local, [['a']]), walk(rclone, [['x']])], AT, (text) => text);
  const failed = sortFound(config, [walk(s3, undefined, 'bucket "b" not found'), walk(local, [['a']]), walk(rclone, [])], AT, (text) => text);
  assert.deepEqual(
    failed.failures.map(({ name, repository, status, message, error, pushes }) => ({ name, repository, status, message, error, pushes })),
    [{ name: 's3:https://host/b/p', repository: 'discover[0]', status: 'down', message: 'discovery failed: bucket "b" not found', error: 'bucket "b" not found', pushes: [] }],
  );
  const merged = carryOver(first, failed, new Set(['web', 'taken']));
  // host2/mail (under the failed location) is kept; x (its location answered: gone) is not.
  assert.deepEqual(merged.checks.map((check) => check.name), ['host2/mail']);
  assert.equal(merged.failures.length, 1);
});

test('found repositories are compared by what they are: two paths of one real directory are one repository', () => {
  // /srv/a is /data/a and the configured /elsewhere is /srv/b/c, as realpath would say.
  const identify = identifyWith(new Map([['/srv/a', '/data/a'], ['/srv/b/c', '/elsewhere'], ['/elsewhere', '/elsewhere'], ['/srv/z', '/data/a']]));
  const found = sortFound(config, [walk(local, [['a'], ['b', 'c'], ['z']])], AT, (text) => text, identify);
  assert.deepEqual(found.unmonitored.map(({ name, url }) => [name, url]), [['a', '/srv/a']]);
  // Without real paths (S3, rclone, or realpath out of time): the normalized URL.
  assert.equal(identify('s3:host/b/p/'), 's3:https://host/b/p');
});

test('a symbolic link is followed only out of the location and not back up the folders it sits in', () => {
  const cases: Array<[target: string, dir: string, follow: boolean]> = [
    ['/srv/backups/hostA', '/srv/backups', false], // an alias of a folder the walk lists anyway
    ['/srv/backups', '/srv/backups/hostA', false], // a loop to the location
    ['/srv/backups/hostA', '/srv/backups/hostA/web', false], // a loop to its own parent
    ['/mnt/disk2/hostB', '/srv/backups', true], // out of the location
    ['/srv/backups-old', '/srv/backups', true], // a sibling whose name starts alike
    ['/mnt/disk2', '/mnt/disk2/hostB', false], // out of the location, then back up: a loop
    ['/', '/srv/backups', false], // the root contains everything
  ];
  for (const [target, dir, follow] of cases) assert.equal(!aliasOrLoop(target, '/srv/backups', dir), follow, `${dir} -> ${target}`);
  assert.equal(aliasOrLoop('/srv/x', '/', '/srv'), true, 'a location at / has no outside');
});
