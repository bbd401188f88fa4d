import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { backendKind } from '../../../src/checkers/reader/backends/open.js';
import { parseRestUrl } from '../../../src/checkers/reader/backends/rest.js';
import { latestPerGroup } from '../../../src/checkers/reader/checker.js';
import { ReaderError } from '../../../src/checkers/reader/errors.js';
import { goTime, ZERO_TIME } from '../../../src/checkers/reader/go-json.js';
import { parseKeyFile } from '../../../src/checkers/reader/key-file.js';
import { resolvePassword } from '../../../src/checkers/reader/password.js';
import { toResticSnapshot } from '../../../src/checkers/reader/snapshot.js';
import { parseRepositoryConfig, unpackJson } from '../../../src/checkers/reader/unpacked.js';

const ID = 'a'.repeat(64);
const readerError = (kind: string, message: string) => (error: unknown) => {
  assert.ok(error instanceof ReaderError, String(error));
  assert.equal(error.message, message);
  assert.equal(error.kind, kind);
  return true;
};

describe('snapshots as restic prints them (Go encoding/json round trip)', () => {
  test('times: RFC3339Nano, trailing zeros dropped, zero offset as Z', () => {
    const cases: Array<[unknown, string]> = [
      ['2015-01-02T18:10:50.895208559+01:00', '2015-01-02T18:10:50.895208559+01:00'],
      ['2020-01-01T00:00:00.000000000Z', '2020-01-01T00:00:00Z'],
      ['2020-01-01T00:00:00.500+00:00', '2020-01-01T00:00:00.5Z'],
      ['2020-01-01T00:00:00.1234567891-05:00', '2020-01-01T00:00:00.123456789-05:00'],
      [undefined, ZERO_TIME],
      [null, ZERO_TIME],
    ];
    for (const [input, output] of cases) assert.equal(goTime(input, 'time'), output, String(input));
    assert.throws(() => goTime('yesterday', 'time'), /"time" is not an RFC 3339 time/);
  });

  test('omitempty: empty values left out, tree and paths always there, unknown fields dropped, restic order', () => {
    const printed = toResticSnapshot(ID, {
      zzz: 'unknown to restic',
      tags: [],
      uid: 0,
      hostname: '',
      excludes: [],
      tree: 'B'.repeat(64),
      time: '2020-01-01T00:00:00Z',
      summary: null,
      parent: null,
    });
    assert.equal(JSON.stringify(printed), `{"time":"2020-01-01T00:00:00Z","tree":"${'b'.repeat(64)}","paths":null,"id":"${ID}","short_id":"aaaaaaaa"}`);
  });

  test('every field in its place; paths sorted as restic sorts them; a partial summary filled with zeros', () => {
    const printed = toResticSnapshot(ID, {
      summary: { backup_end: '2024-05-01T10:00:01.000Z', files_new: 3 },
      program_version: 'restic 0.18.0',
      original: 'c'.repeat(64),
      tags: ['z', 'a'],
      excludes: ['*.tmp'],
      gid: 100,
      uid: 1000,
      username: 'fd0',
      hostname: 'kasimir',
      paths: ['/var', '/etc', '/épée', '/z'],
      tree: 'd'.repeat(64),
      parent: 'e'.repeat(64),
      time: '2024-05-01T10:00:00+02:00',
    });
    assert.deepEqual(Object.keys(printed), ['time', 'parent', 'tree', 'paths', 'hostname', 'username', 'uid', 'gid', 'excludes', 'tags', 'original', 'program_version', 'summary', 'id', 'short_id']);
    assert.deepEqual(printed.paths, ['/etc', '/var', '/z', '/épée']);
    assert.deepEqual(printed.tags, ['z', 'a']);
    assert.deepEqual(printed.summary, {
      backup_start: ZERO_TIME,
      backup_end: '2024-05-01T10:00:01Z',
      files_new: 3,
      files_changed: 0,
      files_unmodified: 0,
      dirs_new: 0,
      dirs_changed: 0,
      dirs_unmodified: 0,
      data_blobs: 0,
      tree_blobs: 0,
      data_added: 0,
      data_added_packed: 0,
      total_files_processed: 0,
      total_bytes_processed: 0,
    });
  });

  test('a value of the wrong type makes the file unreadable, as for restic', () => {
    assert.throws(() => toResticSnapshot(ID, { time: '2020-01-01T00:00:00Z', uid: -1 }), readerError('damaged', `snapshots/${ID} is damaged: "uid" is not an unsigned integer`));
    assert.throws(() => toResticSnapshot(ID, { tags: 'daily' }), readerError('damaged', `snapshots/${ID} is damaged: "tags" is not a list of strings`));
    assert.throws(() => toResticSnapshot(ID, []), readerError('damaged', `snapshots/${ID} is damaged: not a JSON object`));
  });
});

describe('files and keys', () => {
  const key = { kdf: 'scrypt', N: 32768, r: 8, p: 1, salt: Buffer.alloc(64, 1).toString('base64'), data: Buffer.alloc(80, 2).toString('base64') };
  const name = `keys/${ID}`;
  const bytes = (value: unknown) => Buffer.from(JSON.stringify(value));

  test('key files: each problem names the file', () => {
    assert.equal(parseKeyFile(name, bytes(key)).N, 32768);
    assert.throws(() => parseKeyFile(name, bytes(key).subarray(0, 40)), readerError('damaged', `key file ${name} is not valid JSON (truncated or damaged)`));
    assert.throws(() => parseKeyFile(name, bytes({ ...key, kdf: 'argon2' })), readerError('unsupported', `key file ${name} uses the KDF "argon2"; only scrypt is supported`));
    assert.throws(() => parseKeyFile(name, bytes({ ...key, N: 1000 })), readerError('damaged', `key file ${name} has invalid scrypt parameters (N=1000, r=8, p=1)`));
    assert.throws(() => parseKeyFile(name, bytes({ ...key, N: 2 ** 24, r: 8 })), readerError('limit', `key file ${name} asks scrypt for 16384 MiB (N=16777216, r=8); at most 1024 MiB is allowed`));
    assert.throws(() => parseKeyFile(name, bytes({ ...key, salt: 'AAAA' })), readerError('damaged', `key file ${name} has a 3-byte salt (restic writes 64 bytes)`));
    assert.throws(() => parseKeyFile(name, bytes({ ...key, data: 'AAAA' })), readerError('damaged', `key file ${name} is damaged: its data is too short`));
    assert.throws(() => parseKeyFile(name, bytes({ ...key, data: 'not base64!' })), readerError('damaged', `key file ${name} has no valid "data"`));
  });

  test('unpacked files: version 1 is JSON; version 2 marks plain JSON by its first byte, 2 for zstd', () => {
    const MiB = 2 ** 20;
    assert.deepEqual(unpackJson('x', Buffer.from('{"a":1}'), 1, MiB), { a: 1 });
    assert.deepEqual(unpackJson('x', Buffer.from('[1]'), 2, MiB), [1]);
    assert.throws(() => unpackJson('snapshots/x', Buffer.from([2, 1, 2, 3]), 2, MiB), readerError('damaged', 'snapshots/x is damaged: its zstd data does not decompress'));
    assert.throws(() => unpackJson('snapshots/x', Buffer.from([7]), 2, MiB), readerError('unsupported', 'snapshots/x uses encoding version 7, which this reader does not know'));
    assert.throws(() => unpackJson('snapshots/x', Buffer.from('{"a":'), 1, MiB), readerError('damaged', 'snapshots/x is damaged: not valid JSON'));
  });

  test('the config: versions 1 and 2 only', () => {
    assert.equal(parseRepositoryConfig(Buffer.from('{"version":1,"id":"x"}')).version, 1);
    assert.throws(() => parseRepositoryConfig(Buffer.from('{"version":3}')), readerError('unsupported', 'repository format version 3 is not supported by the built-in reader (it reads versions 1 and 2)'));
    assert.throws(() => parseRepositoryConfig(Buffer.from('{}')), readerError('damaged', 'config is damaged: it names no repository version'));
  });
});

describe('locations and passwords', () => {
  test('which URLs the reader serves', () => {
    const cases: Array<[string, string | undefined]> = [
      ['/srv/restic', 'local'],
      ['local:/srv/restic', 'local'],
      ['s3:https://s3.example.com/bucket/prefix', 's3'],
      ['s3:', undefined],
      ['rest:https://host:8000/repo', 'rest'],
      ['sftp:user@host:/srv', undefined],
      ['rclone:remote:path', undefined],
      ['b2:bucket:path', undefined],
    ];
    for (const [url, kind] of cases) assert.equal(backendKind(url), kind, url);
  });

  test('rest: URLs as restic reads them: a slash appended, credentials from the URL, else from the environment', () => {
    const basic = (text: string) => `Basic ${Buffer.from(text).toString('base64')}`;
    const plain = parseRestUrl('rest:http://127.0.0.1:8000/repo', {});
    assert.ok(!('error' in plain));
    assert.equal(plain.base.href, 'http://127.0.0.1:8000/repo/');
    assert.equal(plain.authorization, undefined);
    const withUser = parseRestUrl('rest:https://user:p%40ss@host/', { RESTIC_REST_USERNAME: 'other', RESTIC_REST_PASSWORD: 'x' });
    assert.ok(!('error' in withUser));
    assert.equal(withUser.base.href, 'https://host/');
    assert.equal(withUser.authorization, basic('user:p@ss'));
    const fromEnv = parseRestUrl('rest:https://host/repo/', { RESTIC_REST_USERNAME: 'u', RESTIC_REST_PASSWORD: 'p' });
    assert.ok(!('error' in fromEnv));
    assert.equal(fromEnv.authorization, basic('u:p'));
    assert.deepEqual(parseRestUrl('rest:ftp://host/', {}), { error: 'is not a valid rest: URL (expected rest:http(s)://HOST[:PORT]/PATH)' });
  });

  test('passwords as restic resolves them: the file first (BOM, UTF-16, white space), else RESTIC_PASSWORD', async () => {
    const files: Record<string, Buffer> = {
      utf8: Buffer.from('  secret one\r\n'),
      bom: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('secret two\n')]),
      utf16: Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('secret three\n', 'utf16le')]),
    };
    const read = async (path: string) => files[path] ?? Promise.reject(Object.assign(new Error('no'), { code: 'ENOENT' }));
    assert.equal(await resolvePassword({ RESTIC_PASSWORD_FILE: 'utf8', RESTIC_PASSWORD: 'ignored' }, read), 'secret one');
    assert.equal(await resolvePassword({ RESTIC_PASSWORD_FILE: 'bom' }, read), 'secret two');
    assert.equal(await resolvePassword({ RESTIC_PASSWORD_FILE: 'utf16' }, read), 'secret three');
    assert.equal(await resolvePassword({ RESTIC_PASSWORD: ' kept as is ' }, read), ' kept as is ');
    await assert.rejects(resolvePassword({ RESTIC_PASSWORD_FILE: 'a', RESTIC_PASSWORD_COMMAND: 'b' }, read), readerError('password', 'RESTIC_PASSWORD_FILE and RESTIC_PASSWORD_COMMAND are both set (restic accepts only one)'));
    await assert.rejects(resolvePassword({ RESTIC_PASSWORD_FILE: 'utf8-empty' }, read), readerError('password', 'password file utf8-empty does not exist'));
  });
});

describe('--latest 1', () => {
  test('the newest snapshot of each (host, sorted paths) group', () => {
    const at = (hour: number, hostname: string, paths: string[]) => ({ time: new Date(Date.UTC(2024, 0, 1, hour)), hostname, paths, tags: [] });
    const groups = latestPerGroup([at(1, 'a', ['/x', '/y']), at(3, 'a', ['/y', '/x']), at(2, 'a', ['/x']), at(4, 'b', ['/x']), at(0, 'b', ['/x'])]);
    assert.deepEqual(groups.map((s) => `${s.hostname} ${s.time.getUTCHours()}`).sort(), ['a 2', 'a 3', 'b 4']);
  });
});
