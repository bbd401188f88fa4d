
/**
 * The push token of a check that sets none: an HMAC-SHA256 of its name under the config's
 * `kuma.token_secret`, so that `run` and `daemon` push without logging in to Kuma, and nobody
 * who knows only the check's name (it is the monitor's name, and public on a status page)
 * can forge a beat. 32 URL-safe characters (192 bits), the length of Kuma's own tokens and
 * of its database column. A new secret gives every check a new token: `kuma sync` then
 * updates each monitor in place.
 */
export const PUSH_TOKEN_LENGTH = 32;

export function derivePushToken(tokenSecret: string, checkName: string): string {
  // Taken when first needed: loading node:crypto with the config module costs every command
  // dozens of Node's own modules, and most configs set no token_secret.
  const { createHmac } = process.getBuiltinModule('node:crypto');
  return createHmac('sha256', tokenSecret)
    .update('restic-monitor push token\0')
    .update(checkName)
    .digest('base64url')
    .slice(0, PUSH_TOKEN_LENGTH);
}
