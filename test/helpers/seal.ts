import { createCipheriv, randomBytes } from 'node:crypto';
import { poly1305 } from '@noble/ciphers/_poly1305.js';

/** A master key as `restic cat masterkey` prints it. */
export interface MasterKeyJson {
  mac: { k: string; r: string };
  encrypt: string;
}

/**
 * Test fixtures only: encrypts `plain` as restic does (IV || AES-256-CTR || Poly1305-AES),
 * to write a file restic never would (a config of an unknown version, an unknown
 * encoding) under a repository's real master key.
 */
export function seal(master: MasterKeyJson, plain: Buffer): Buffer {
  const iv = randomBytes(16);
  const ctr = createCipheriv('aes-256-ctr', Buffer.from(master.encrypt, 'base64'), iv);
  const ciphertext = Buffer.concat([ctr.update(plain), ctr.final()]);
  const aes = createCipheriv('aes-128-ecb', Buffer.from(master.mac.k, 'base64'), null).setAutoPadding(false);
  const nonceKey = Buffer.concat([aes.update(iv), aes.final()]);
  const mac = poly1305(ciphertext, Buffer.concat([Buffer.from(master.mac.r, 'base64'), nonceKey]));
  return Buffer.concat([iv, ciphertext, mac]);
}
