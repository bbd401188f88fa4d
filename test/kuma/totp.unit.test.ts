import assert from 'node:assert/strict';
import { test } from 'node:test';
import { msUntilNextStep, readTotpSecret, totpCode } from '../../src/kuma/totp.js';
import { derivePushToken, PUSH_TOKEN_LENGTH } from '../../src/kuma/push-token.js';

// RFC 6238, appendix B: the SHA-1 secret "12345678901234567890", 8-digit codes; Kuma's are
// the last 6 digits of the same number.
const RFC_SECRET = Buffer.from('12345678901234567890');

test('TOTP codes are RFC 6238 (SHA-1, 30 s steps), 6 digits as Kuma checks them', () => {
  for (const [seconds, code] of [
    [59, '287082'],
    [1111111109, '081804'],
    [1111111111, '050471'],
    [1234567890, '005924'],
    [2000000000, '279037'],
  ] as const) {
    assert.equal(totpCode(RFC_SECRET, seconds * 1000), code, String(seconds));
  }
  assert.equal(msUntilNextStep(59_000), 1000);
  assert.equal(msUntilNextStep(60_000), 30_000);
});

test('a TOTP secret is the base32 of the otpauth:// URI Kuma shows, or the whole URI', () => {
  const base32 = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
  assert.deepEqual(readTotpSecret(base32), RFC_SECRET);
  assert.deepEqual(readTotpSecret(` ${base32.toLowerCase()}== `), RFC_SECRET);
  assert.deepEqual(readTotpSecret(`otpauth://totp/Uptime%20Kuma:admin?secret=${base32}`), RFC_SECRET);
  assert.deepEqual(readTotpSecret('not-base32!'), { error: 'is not base32 (letters A-Z and digits 2-7, as in the otpauth:// URI Kuma shows)' });
  assert.deepEqual(readTotpSecret('otpauth://totp/Uptime%20Kuma:admin?issuer=x'), { error: 'is an otpauth:// URI without a secret= parameter' });
  assert.deepEqual(readTotpSecret('  '), { error: 'is empty' });
});

test('a derived push token: 32 URL-safe characters, the same for the same name and secret, unguessable from the name alone', () => {
  const token = derivePushToken('a-long-random-secret-0123456789', 'web-server');
  assert.equal(token.length, PUSH_TOKEN_LENGTH);
  assert.match(token, /^[A-Za-z0-9_-]+$/);
  assert.equal(derivePushToken('a-long-random-secret-0123456789', 'web-server'), token);
  assert.notEqual(derivePushToken('a-long-random-secret-0123456789', 'db-server'), token);
  assert.notEqual(derivePushToken('another-secret-0123456789abcdef', 'web-server'), token);
  assert.equal(token.includes('web'), false);
});
