/**
 * Kuma answers with i18n keys (`authIncorrectCreds`) as often as with sentences: the keys a
 * sync can meet, in words; anything else is shown as Kuma wrote it.
 */
const WRONG_CODE = 'the two-factor code was refused (is kuma.totp_secret the secret of this account, and is the clock right?)';
const KNOWN: Readonly<Record<string, string>> = {
  authIncorrectCreds: 'wrong username or password',
  // Kuma 1 says it in English.
  'Incorrect username or password.': 'wrong username or password',
  authInvalidToken: WRONG_CODE,
  'Invalid Token!': WRONG_CODE,
  authUserInactiveOrDeleted: 'the account is inactive or deleted',
  'Too frequently, try again later.': 'too many logins in a short time (Kuma limits them): try again in a minute',
  'You are not logged in.': 'not logged in',
};

export function describeKumaMessage(message: unknown): string {
  if (typeof message !== 'string' || message === '') return 'no reason given';
  return KNOWN[message] ?? message;
}

/** Kuma's answer to a two-factor code it does not take (Kuma 2, then Kuma 1). */
export function isWrongCode(message: unknown): boolean {
  return message === 'authInvalidToken' || message === 'Invalid Token!';
}
