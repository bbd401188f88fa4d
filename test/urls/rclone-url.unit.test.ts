import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normalizeRepositoryUrl } from '../../src/urls/discover.js';
import { parseRcloneSpec, rcloneRemote, rcloneSecrets, resticRepositoryEnv, viaEnvironment } from '../../src/urls/rclone.js';

/** A spec as parsed: the remote's name, its settings (key=value), its path. */
function parsed(spec: string): [string, string[], string] | undefined {
  const result = parseRcloneSpec(spec);
  return result && [result.name, result.params.map((param) => `${param.key}=${param.value}`), spec.slice(result.pathStart)];
}

test("remote specs split as rclone's fspath.Parse splits them (rclone docs, Connection strings)", () => {
  const table: Array<[string, ReturnType<typeof parsed>]> = [
    ['nas:restic/web', ['nas', [], 'restic/web']],
    ['nas:', ['nas', [], '']],
    ['my nas-2:x', ['my nas-2', [], 'x']],
    [':local:/srv/restic', [':local', [], '/srv/restic']],
    [":webdav,url='http://dav:8080/',bearer_token=SECRET:repo", [':webdav', ['url=http://dav:8080/', 'bearer_token=SECRET'], 'repo']],
    ['gdrive,shared_with_me:dir', ['gdrive', ['shared_with_me=true'], 'dir']],
    ['nas,a="colon:value",b=\'comma,value\':p', ['nas', ['a=colon:value', 'b=comma,value'], 'p']],
    ['nas,a="with""quote",b=\'with\'\'quote\':p', ['nas', ['a=with"quote', "b=with'quote"], 'p']],
    ["nas,a=it's:p", ['nas', ["a=it's"], 'p']],
    ['nas,a=,b:p', ['nas', ['a=', 'b=true'], 'p']],
    // Local paths, and what rclone refuses.
    ['/srv/restic', undefined],
    ['dir/sub:file', undefined],
    ['no-colon', undefined],
    ["nas,a='unterminated:p", undefined],
    ["nas,a='x'y:p", undefined],
    ['nas,bad-key=1:p', undefined],
    ['nas,=x:p', undefined],
    ['::p', undefined],
    [' nas:p', undefined],
    ['nas,a=b', undefined],
  ];
  for (const [spec, expected] of table) assert.deepEqual(parsed(spec), expected, spec);
});

test('an rclone: URL is a remote only when rclone would read one', () => {
  assert.equal(rcloneRemote("rclone::webdav,url='http://h/':repo"), ":webdav,url='http://h/':repo");
  assert.equal(rcloneRemote('rclone:/srv/restic'), undefined);
  assert.equal(rcloneRemote('rclone:a/b:c'), undefined);
  assert.equal(rcloneRemote('/srv/restic'), undefined);
  assert.deepEqual(rcloneSecrets("rclone:nas,pass='p,w',port=2222,user=me,chunk_size=64M,token=t0k3n:repo"), ['p,w', 't0k3n']);
  assert.deepEqual(rcloneSecrets('s3:https://h/b'), []);
  // A credential that is all digits is still one; a size or a count is a setting.
  assert.deepEqual(rcloneSecrets('rclone::sftp,host=h,user=u,pass=12345678,concurrency=4:repo'), ['12345678']);
});

test('a connection string goes to rclone through its environment as an alias; a plain remote stays on its command line', () => {
  const spec = ":webdav,url='http://dav:8080/',bearer_token=SECRET:repo/snapshots/";
  assert.deepEqual(viaEnvironment(spec), {
    spec: 'restic_monitor_remote:',
    env: { RCLONE_CONFIG_RESTIC_MONITOR_REMOTE_TYPE: 'alias', RCLONE_CONFIG_RESTIC_MONITOR_REMOTE_REMOTE: spec },
  });
  assert.deepEqual(viaEnvironment('nas:repo/snapshots/'), { spec: 'nas:repo/snapshots/', env: {} });
  assert.deepEqual(resticRepositoryEnv('rclone:nas,pass=x:repo'), {
    RCLONE_CONFIG_RESTIC_MONITOR_REMOTE_TYPE: 'alias',
    RCLONE_CONFIG_RESTIC_MONITOR_REMOTE_REMOTE: 'nas,pass=x:repo',
    RESTIC_REPOSITORY: 'rclone:restic_monitor_remote:',
  });
  assert.deepEqual(resticRepositoryEnv('rclone:nas:repo'), { RESTIC_REPOSITORY: 'rclone:nas:repo' });
  assert.deepEqual(resticRepositoryEnv('s3:https://h/b'), { RESTIC_REPOSITORY: 's3:https://h/b' });
});

test("discover compares a connection string's path cleaned, its remote as written", () => {
  assert.equal(normalizeRepositoryUrl("rclone::webdav,url='http://h/':a//b/"), "rclone::webdav,url='http://h/':a/b");
  assert.equal(normalizeRepositoryUrl('rclone:nas:/r/'), 'rclone:nas:/r');
});
