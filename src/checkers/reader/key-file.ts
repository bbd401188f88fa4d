import type { KeyDerivation } from './derivation.js';
import { ReaderError } from './errors.js';
import { MAX_SCRYPT_BYTES, MAX_SCRYPT_WORK, mebibytes } from './limits.js';
import { ScryptProcessFailed, ScryptRefused, type ScryptRequest } from './scrypt-process.js';
import { MacMismatch, openSealed, SEAL_OVERHEAD, sealKeyFrom, type SealKey } from './seal.js';

/** The fields of a `keys/<id>` file the reader needs (doc/design.rst, "Keys, Encryption and MAC"). */
export interface KeyFile {
  /** `keys/<id>`: how every message names it. */
  name: string;
  N: number;
  r: number;
  p: number;
  salt: Buffer;
  data: Buffer;
}

/** Pure: a key file's JSON, checked field by field; every problem names the file. */
export function parseKeyFile(name: string, bytes: Uint8Array): KeyFile {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    throw new ReaderError('damaged', `key file ${name} is not valid JSON (truncated or damaged)`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new ReaderError('damaged', `key file ${name} is not a JSON object`);
  const file = json as Record<string, unknown>;
  if (file.kdf !== 'scrypt') {
    throw new ReaderError('unsupported', `key file ${name} uses the KDF ${JSON.stringify(file.kdf ?? null)}; only scrypt is supported`);
  }
  const N = integer(name, file, 'N');
  const r = integer(name, file, 'r');
  const p = integer(name, file, 'p');
  // The bounds of restic's own parameter check (simple-scrypt's Params.Check).
  if (N <= 1 || (N & (N - 1)) !== 0 || r < 1 || p < 1 || r * p >= 2 ** 30) {
    throw new ReaderError('damaged', `key file ${name} has invalid scrypt parameters (N=${N}, r=${r}, p=${p})`);
  }
  if (128 * N * r > MAX_SCRYPT_BYTES) {
    throw new ReaderError('limit', `key file ${name} asks scrypt for ${mebibytes(128 * N * r)} (N=${N}, r=${r}); at most ${mebibytes(MAX_SCRYPT_BYTES)} is allowed`);
  }
  // The work, not only the memory: p multiplies the time at no memory cost.
  const work = BigInt(N) * BigInt(r) * BigInt(p);
  if (work > BigInt(MAX_SCRYPT_WORK)) {
    throw new ReaderError('limit', `key file ${name} asks scrypt for N·r·p = ${work} (N=${N}, r=${r}, p=${p}); at most ${MAX_SCRYPT_WORK} is allowed`);
  }
  const salt = base64(name, file, 'salt');
  // restic's KDF refuses any other salt length.
  if (salt.length !== 64) throw new ReaderError('damaged', `key file ${name} has a ${salt.length}-byte salt (restic writes 64 bytes)`);
  const data = base64(name, file, 'data');
  if (data.length < SEAL_OVERHEAD) throw new ReaderError('damaged', `key file ${name} is damaged: its data is too short`);
  return { name, N, r, p, salt, data };
}

/** Derives a key file's user key from the password; ends when `signal` aborts. */
export type DeriveUserKey = (key: KeyFile, password: string, signal: AbortSignal) => Promise<SealKey>;

/** Pure: what scrypt is asked for this key file and password. */
export function scryptRequest(key: KeyFile, password: string): ScryptRequest {
  // Node refuses scrypt above `maxmem` (32 MiB by default, so already at N=65536, r=8):
  // raise it to what these parameters need, with room for OpenSSL's own buffers.
  return { password, salt: key.salt, N: key.N, r: key.r, p: key.p, maxmem: 128 * key.r * (key.N + key.p + 2) + 2 ** 20 };
}

/** The user key derived with this key file's own salt and N, r, p, in `derivation`'s processes. */
export function userKeyDeriver(derivation: KeyDerivation): DeriveUserKey {
  return async (key, password, signal) => {
    try {
      return sealKeyFrom(await derivation.derive(scryptRequest(key, password), signal));
    } catch (error) {
      // Within the bounds, yet past OpenSSL's own (N=65536 with r=1): Go's scrypt, and so the
      // restic binary, may still derive it. OpenSSL's words are left out: they say nothing more.
      if (error instanceof ScryptRefused) throw new ReaderError('unsupported', `key file ${key.name} uses scrypt parameters the built-in reader cannot derive (N=${key.N}, r=${key.r}, p=${key.p})`);
      if (error instanceof ScryptProcessFailed) throw new ReaderError('internal', `key file ${key.name}: key derivation failed: ${error.message}`);
      throw error;
    }
  };
}

/**
 * The master key inside `key.data`, or undefined when this password does not open this key
 * file (its MAC does not match). Anything else wrong with the file is an error naming it.
 */
export function openMasterKey(key: KeyFile, userKey: SealKey): SealKey | undefined {
  let plain: Buffer;
  try {
    plain = openSealed(userKey, key.data);
  } catch (error) {
    if (error instanceof MacMismatch) return undefined;
    throw error;
  }
  let master: { mac?: { k?: unknown; r?: unknown }; encrypt?: unknown };
  try {
    master = JSON.parse(plain.toString('utf8')) as typeof master;
  } catch {
    throw new ReaderError('damaged', `key file ${key.name} holds no readable master key`);
  }
  const encrypt = decoded(master?.encrypt);
  const k = decoded(master?.mac?.k);
  const r = decoded(master?.mac?.r);
  if (encrypt?.length !== 32 || k?.length !== 16 || r?.length !== 16) {
    throw new ReaderError('damaged', `key file ${key.name} holds an invalid master key`);
  }
  return sealKeyFrom(Buffer.concat([encrypt, k, r]));
}

function integer(name: string, file: Record<string, unknown>, field: string): number {
  const value = file[field];
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw new ReaderError('damaged', `key file ${name} has no valid "${field}"`);
  return value;
}

function base64(name: string, file: Record<string, unknown>, field: string): Buffer {
  const value = decoded(file[field]);
  if (!value) throw new ReaderError('damaged', `key file ${name} has no valid "${field}"`);
  return value;
}

/** Go's []byte JSON: standard base64 with padding. */
function decoded(value: unknown): Buffer | undefined {
  if (typeof value !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(value) || value.length % 4 !== 0) return undefined;
  return Buffer.from(value, 'base64');
}
