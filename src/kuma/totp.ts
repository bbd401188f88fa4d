/**
 * RFC 6238 time-based one-time passwords as Uptime Kuma's two-factor login checks them:
 * HMAC-SHA1, 30-second steps, 6 digits. The secret is the base32 text of the account's
 * `otpauth://` URI (Kuma shows it as a QR code when 2FA is set up); the whole URI is taken too.
 */
const STEP_SECONDS = 30;
const DIGITS = 6;
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** Pure: the secret's bytes, or a one-line reason it is not base32 (never echoing the secret). */
export function readTotpSecret(text: string): Buffer | { error: string } {
  let encoded = text.trim();
  if (/^otpauth:\/\//i.test(encoded)) {
    let secret: string | null = null;
    try {
      secret = new URL(encoded).searchParams.get('secret');
    } catch {
      // falls through to the error below
    }
    if (!secret) return { error: 'is an otpauth:// URI without a secret= parameter' };
    encoded = secret;
  }
  encoded = encoded.replace(/[\s-]/g, '').replace(/=+$/, '').toUpperCase();
  if (encoded === '') return { error: 'is empty' };
  let bits = 0;
  let value = 0;
  const bytes: number[] = [];
  for (const char of encoded) {
    const digit = BASE32.indexOf(char);
    if (digit < 0) return { error: 'is not base32 (letters A-Z and digits 2-7, as in the otpauth:// URI Kuma shows)' };
    value = (value << 5) | digit;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      bytes.push((value >>> bits) & 0xff);
    }
  }
  return Buffer.from(bytes);
}

/** Pure: the code for the 30-second step that holds `nowMs`. */
export function totpCode(secret: Uint8Array, nowMs: number): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(nowMs / 1000 / STEP_SECONDS)));
  // Taken when first needed, not with the config module (see derivePushToken).
  const { createHmac } = process.getBuiltinModule('node:crypto');
  const mac = createHmac('sha1', secret).update(counter).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  const number = mac.readUInt32BE(offset) & 0x7fff_ffff;
  return String(number % 10 ** DIGITS).padStart(DIGITS, '0');
}

/** How long until the next step begins: Kuma refuses a code that was used once already. */
export function msUntilNextStep(nowMs: number): number {
  const stepMs = STEP_SECONDS * 1000;
  return stepMs - (nowMs % stepMs);
}
