import { createCipheriv, createDecipheriv, timingSafeEqual } from 'node:crypto';
import { poly1305 } from '@noble/ciphers/_poly1305.js';

/**
 * restic's crypto.Key: AES-256-CTR for secrecy, Poly1305-AES for authenticity
 * (doc/design.rst, "Keys, Encryption and MAC"). Used for the user key derived from the
 * password as for the master key it unlocks. Kept in memory only.
 */
export interface SealKey {
  readonly encrypt: Buffer;
  /** Poly1305-AES: AES-128 key k, encrypts the nonce. */
  readonly macK: Buffer;
  /** Poly1305-AES: r (clamped by Poly1305 itself). */
  readonly macR: Buffer;
}

const IV = 16;
const MAC = 16;
/** IV || CIPHERTEXT || MAC: the overhead of every encrypted file. */
export const SEAL_OVERHEAD = IV + MAC;

/** The MAC did not match: wrong key, or a damaged file. Never carries key material. */
export class MacMismatch extends Error {
  constructor() {
    super('ciphertext verification failed');
  }
}

/** A key from 64 bytes laid out as restic's KDF lays them: encryption key, then k, then r. */
export function sealKeyFrom(bytes: Uint8Array): SealKey {
  if (bytes.length !== 64) throw new Error(`a restic key is 64 bytes, not ${bytes.length}`);
  const all = Buffer.from(bytes);
  return { encrypt: all.subarray(0, 32), macK: all.subarray(32, 48), macR: all.subarray(48, 64) };
}

/**
 * Authenticates, then decrypts, one `IV || CIPHERTEXT || MAC` blob. The MAC covers the
 * ciphertext only; its one-time key is r || AES_k(IV), as in Poly1305-AES. Nothing is
 * decrypted before the MAC is verified.
 */
export function openSealed(key: SealKey, sealed: Uint8Array): Buffer {
  if (sealed.length < SEAL_OVERHEAD) throw new MacMismatch();
  const iv = sealed.subarray(0, IV);
  const ciphertext = sealed.subarray(IV, sealed.length - MAC);
  const mac = sealed.subarray(sealed.length - MAC);
  const aes = createCipheriv('aes-128-ecb', key.macK, null).setAutoPadding(false);
  const nonceKey = Buffer.concat([aes.update(iv), aes.final()]);
  const expected = poly1305(ciphertext, Buffer.concat([key.macR, nonceKey]));
  if (!timingSafeEqual(expected, mac)) throw new MacMismatch();
  const ctr = createDecipheriv('aes-256-ctr', key.encrypt, iv);
  return Buffer.concat([ctr.update(ciphertext), ctr.final()]);
}
