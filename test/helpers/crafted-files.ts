import { createHash, randomBytes, scryptSync } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { seal, type MasterKeyJson } from './seal.js';

/**
 * Test fixtures only: repository files restic would never write (a zstd bomb, a key file of
 * absurd cost), made under a repository's real keys so that they pass every check before
 * the one under test. Each is named as restic names it, by the SHA-256 of its content.
 */

/** Seals `plain` under the master key into `<dir>/<type>/<id>`; returns the id. */
export async function writeSealed(dir: string, type: 'snapshots' | 'locks', master: MasterKeyJson, plain: Buffer): Promise<string> {
  const sealed = seal(master, plain);
  const id = createHash('sha256').update(sealed).digest('hex');
  await writeFile(join(dir, type, id), sealed);
  return id;
}

export interface BombShape {
  /** Declare the size in the frame header (single segment): the decoder would allocate it at once. */
  declared?: boolean;
  /** Window descriptor exponent when not single-segment: 17 is 128 KiB, 31 is 2 GiB. */
  windowLog?: number;
}

/**
 * A format-2 plaintext (encoding byte 2, then zstd) of `bytes` spaces in RLE blocks of
 * 128 KiB: 4 bytes of input each, so 1 GiB takes 32 KiB.
 */
export function zstdBomb(bytes: number, shape: BombShape = {}): Buffer {
  const header = shape.declared
    ? Buffer.concat([Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0xe0]), u64(bytes)])
    : Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, ((shape.windowLog ?? 17) - 10) << 3]);
  const block = 128 * 1024;
  const blocks = Math.ceil(bytes / block);
  const body = Buffer.alloc(blocks * 4);
  for (let i = 0; i < blocks; i++) {
    const size = Math.min(block, bytes - i * block);
    body.writeUIntLE((i === blocks - 1 ? 1 : 0) | (1 << 1) | (size << 3), i * 4, 3);
    body[i * 4 + 3] = 0x20;
  }
  return Buffer.concat([Buffer.from([2]), header, body]);
}

function u64(value: number): Buffer {
  const bytes = Buffer.alloc(8);
  bytes.writeBigUInt64LE(BigInt(value));
  return bytes;
}

export interface KeyCost {
  N: number;
  r: number;
  p: number;
}

/**
 * A key file that opens with `password` (the master key sealed under scrypt with these
 * parameters), as restic's `key add` writes one. Cheap parameters make a test of many keys
 * fast. Returns its name and text.
 */
export function keyFile(master: MasterKeyJson, password: string, cost: KeyCost, hostname = 'crafted'): { id: string; text: string } {
  const salt = randomBytes(64);
  const user = scryptSync(password, salt, 64, { ...cost, maxmem: 256 * 1024 * 1024 });
  const userKey: MasterKeyJson = { encrypt: user.subarray(0, 32).toString('base64'), mac: { k: user.subarray(32, 48).toString('base64'), r: user.subarray(48).toString('base64') } };
  const data = seal(userKey, Buffer.from(JSON.stringify(master)));
  const text = JSON.stringify({ created: '2026-01-01T00:00:00Z', username: 'test', hostname, kdf: 'scrypt', ...cost, salt: salt.toString('base64'), data: data.toString('base64') });
  return { id: createHash('sha256').update(text).digest('hex'), text };
}

/**
 * Rewrites N, r and p of every key file in `dir`: the file keeps its salt and data, so the
 * derivation runs at the new cost and then fails the MAC (a wrong password, for a test of
 * what the cost does).
 */
export async function rewriteKeyCost(dir: string, cost: KeyCost): Promise<string[]> {
  const ids = await readdir(join(dir, 'keys'));
  for (const id of ids) {
    const file = join(dir, 'keys', id);
    await writeFile(file, JSON.stringify({ ...(JSON.parse(await readFile(file, 'utf8')) as object), ...cost }));
  }
  return ids;
}
