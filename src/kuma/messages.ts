/**
 * Kuma answers with i18n keys (`authIncorrectCreds`) as often as with sentences: the keys a
 * sync can meet, in words; anything else is shown as Kuma wrote it.
 */
const KNOWN: Readonly<Record<string, string>> = {
  authIncorrectCreds: 'wrong username or password',
  authInvalidToken: 'the two-factor code was refused (is kuma.totp_secret the secret of this account, and is the clock right?)',
  authUserInactiveOrDeleted: 'the account is inactive or deleted',
  'Too frequently, try again later.': 'too many logins in a short time (Kuma limits them): try again in a minute',
  'You are not logged in.': 'not logged in',
};

export function describeKumaMessage(message: unknown): string {
  if (typeof message !== 'string' || message === '') return 'no reason given';
  return KNOWN[message] ?? message;
}
