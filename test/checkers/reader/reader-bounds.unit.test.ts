import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ReaderError } from '../../../src/checkers/reader/errors.js';
import { parseKeyFile } from '../../../src/checkers/reader/key-file.js';
import { MAX_FILE_BYTES, MAX_KEYS, MAX_SCRYPT_WORK } from '../../../src/checkers/reader/limits.js';
import { keyOrder } from '../../../src/checkers/reader/repository.js';
import { cheapEnoughHere } from '../../../src/checkers/reader/scrypt-here.js';
import { unpackText } from '../../../src/checkers/reader/unpacked.js';
import { decompressCapped, ZstdRefused } from '../../../src/checkers/reader/zstd.js';
import { zstdBomb } from '../../helpers/crafted-files.js';

const MiB = 2 ** 20;
const readerError = (kind: string, message: string) => (error: unknown) => {
  assert.ok(error instanceof ReaderError, String(error));
  assert.equal(error.message, message);
  assert.equal(error.kind, kind);
  return true;
};

/** One zstd frame of raw blocks (no compression): valid zstd any decoder reads. */
function rawFrame(text: string, declared = true): Buffer {
  const content = Buffer.from(text);
  const header = declared ? Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x20, content.length]) : Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x00]);
  const block = Buffer.alloc(3);
  block.writeUIntLE(1 | (content.length << 3), 0, 3);
  return Buffer.concat([header, block, content]);
}

describe('zstd: decompressed within a bound, whatever the data claims', () => {
  test('plain frames, with and without a declared size, after a skippable frame', () => {
    assert.equal(decompressCapped(rawFrame('{"a":1}'), MiB).toString(), '{"a":1}');
    assert.equal(decompressCapped(rawFrame('[1,2]', false), MiB).toString(), '[1,2]');
    const skippable = Buffer.from([0x50, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 9, 9, 9]);
    assert.equal(decompressCapped(Buffer.concat([skippable, rawFrame('{}'), rawFrame('[]')]), MiB).toString(), '{}[]');
  });

  test('a bomb is refused by its header before anything is allocated, or as soon as its output passes the bound', () => {
    const refused = (limit: boolean, message: string) => (error: unknown) => error instanceof ZstdRefused && error.limit === limit && error.message === message;
    // The declared size: 1 GiB in 32 KiB, which the decoder would allocate in one piece.
    assert.throws(() => decompressCapped(zstdBomb(2 ** 30, { declared: true }).subarray(1), MiB), refused(true, 'says it holds 1024 MiB once decompressed (at most 1 MiB)'));
    // The window: 2 GiB, allocated (and, block by block, written) whole.
    assert.throws(() => decompressCapped(zstdBomb(MiB, { windowLog: 31 }).subarray(1), 64 * MiB), refused(true, 'asks zstd for a 2048 MiB window (at most 64 MiB)'));
    // Neither said: counted as it comes out.
    assert.throws(() => decompressCapped(zstdBomb(3 * MiB).subarray(1), MiB), refused(true, 'holds more than 1 MiB once decompressed'));
    assert.equal(decompressCapped(zstdBomb(MiB).subarray(1), MiB).length, MiB);
  });

  test('malformed data is damaged, not a bound', () => {
    for (const data of [Buffer.from([1, 2, 3]), rawFrame('{"a":1}').subarray(0, 10), Buffer.alloc(0), Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x08])]) {
      assert.throws(() => decompressCapped(data, MiB), (error: unknown) => error instanceof ZstdRefused && !error.limit && error.message === 'is damaged: its zstd data does not decompress');
    }
  });
});

describe("format 2's first byte: JSON, zstd, an encoding version, or damage", () => {
  test('a control character is a version this reader does not know; text that is not JSON is damaged', () => {
    const unpack = (bytes: Buffer) => unpackText('snapshots/x', bytes, 2, MiB);
    assert.equal(unpack(Buffer.from('{"a":1}')), '{"a":1}');
    assert.equal(unpack(Buffer.concat([Buffer.from([2]), rawFrame('{"b":2}')])), '{"b":2}');
    for (const version of [0, 1, 3, 7, 0x1f]) {
      assert.throws(() => unpack(Buffer.from([version, 0x7b, 0x7d])), readerError('unsupported', `snapshots/x uses encoding version ${version}, which this reader does not know`), String(version));
    }
    for (const text of [Buffer.from('this is {not json'), Buffer.from(' {}'), Buffer.from('\t{}'), Buffer.from([0x80, 1]), Buffer.alloc(0)]) {
      assert.throws(() => unpack(text), readerError('damaged', 'snapshots/x is damaged: not valid JSON'), JSON.stringify(text.toString('latin1')));
    }
  });

  test('past the bound: a format 1 file by its size, a format 2 one once decompressed', () => {
    assert.throws(() => unpackText('locks/x', Buffer.alloc(MiB + 1, 0x20), 1, MiB), readerError('limit', 'locks/x holds more than 1 MiB'));
    assert.throws(() => unpackText('snapshots/x', zstdBomb(2 * MiB), 2, MiB), readerError('limit', 'snapshots/x holds more than 1 MiB once decompressed'));
    assert.throws(() => unpackText('snapshots/x', zstdBomb(2 ** 31, { declared: true }), 2, 64 * MiB), readerError('limit', 'snapshots/x says it holds 2048 MiB once decompressed (at most 64 MiB)'));
  });

  test('the bounds per kind of file', () => {
    assert.deepEqual(MAX_FILE_BYTES, { config: MiB, keys: MiB, locks: MiB, snapshots: 64 * MiB });
  });
});

describe('key files: what scrypt may be asked', () => {
  const name = `keys/${'a'.repeat(64)}`;
  const key = { kdf: 'scrypt', N: 32768, r: 8, p: 4, salt: Buffer.alloc(64, 1).toString('base64'), data: Buffer.alloc(80, 2).toString('base64') };
  const parse = (cost: object) => parseKeyFile(name, Buffer.from(JSON.stringify({ ...key, ...cost })));

  test("up to 32 times the work of restic's key here (N=32768, r=8, p=4) is allowed; more is refused before any work", () => {
    assert.equal(MAX_SCRYPT_WORK, 32 * 32768 * 8 * 4);
    assert.equal(parse({}).p, 4);
    assert.equal(parse({ p: 128 }).p, 128);
    assert.equal(parse({ N: 1024, p: 4096 }).p, 4096);
    assert.throws(() => parse({ p: 129 }), readerError('limit', `key file ${name} asks scrypt for N·r·p = 33816576 (N=32768, r=8, p=129); at most 33554432 is allowed`));
    assert.throws(() => parse({ p: 4096 }), readerError('limit', `key file ${name} asks scrypt for N·r·p = 1073741824 (N=32768, r=8, p=4096); at most 33554432 is allowed`));
    assert.throws(() => parse({ N: 1024, p: 131072 }), readerError('limit', `key file ${name} asks scrypt for N·r·p = 1073741824 (N=1024, r=8, p=131072); at most 33554432 is allowed`));
    assert.throws(() => parse({ N: 1024, r: 1, p: 536870911 }), readerError('limit', `key file ${name} asks scrypt for N·r·p = 549755812864 (N=1024, r=1, p=536870911); at most 33554432 is allowed`));
    assert.throws(() => parse({ N: 2 ** 20, r: 16, p: 1 }), readerError('limit', `key file ${name} asks scrypt for 2048 MiB (N=1048576, r=16); at most 1024 MiB is allowed`));
  });
});

describe('which key files are tried, in what order', () => {
  const names = Array.from({ length: 100 }, (_, index) => (99 - index).toString(16).padStart(2, '0').repeat(32));

  test(`by name, at most ${MAX_KEYS}; the one RESTIC_KEY_HINT names first (a unique prefix, as restic finds it)`, () => {
    const sorted = [...names].sort();
    assert.deepEqual(keyOrder(names, undefined), sorted.slice(0, 64));
    assert.deepEqual(keyOrder(names, '6363'), [sorted[99], ...sorted.slice(0, 63)]);
    // Ambiguous or unknown: restic passes over the hint.
    assert.deepEqual(keyOrder(names, '6'), sorted.slice(0, 64));
    assert.deepEqual(keyOrder(names, 'zz'), sorted.slice(0, 64));
    assert.deepEqual(keyOrder(names.slice(0, 3), sorted[98]), [sorted[98], sorted[97], sorted[99]]);
  });
});

describe('which key derivations run in the monitor itself (limits.ts, IN_PROCESS_SCRYPT_*)', () => {
  const here = (N: number, r: number, p: number) => cheapEnoughHere({ password: 'x', salt: Buffer.alloc(64), N, r, p, maxmem: 0 });
  test("restic's default cost, N=32768, r=8 with p up to 4: here", () => {
    assert.equal(here(32768, 8, 1), true);
    assert.equal(here(32768, 8, 4), true);
  });
  test('more work (p=5 at N=32768), or more than 64 MiB: in the derivation process, which can be killed', () => {
    assert.equal(here(32768, 8, 5), false);
    assert.equal(here(131072, 8, 1), false);
    assert.equal(here(1024, 8, 4096), false);
  });
  test('32 MiB or less (N=16384, r=8): in the derivation process, since glibc would keep its memory in a thread arena', () => {
    assert.equal(here(16384, 8, 1), false);
    assert.equal(here(1024, 8, 1), false);
  });
});
