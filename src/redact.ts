/**
 * Secrets are removed from text at the last moment before it leaves the process (log
 * lines, pushed messages, terminal output), so a secret that slips into an error message
 * from restic or the S3 SDK is caught too.
 */
export const MASK = '***';

// scheme://user:password@host — restic's rest: and s3: URLs can carry credentials this way.
const URL_PASSWORD = /([a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]*):([^@/?#\s]*)@/gi;

export function passwordInUrl(url: string): string | undefined {
  const match = /[a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]*:([^@/?#\s]*)@/i.exec(url);
  if (!match || match[1] === '') return undefined;
  try {
    return decodeURIComponent(match[1]!);
  } catch {
    return match[1];
  }
}

export function redactUrl(text: string): string {
  return text.replace(URL_PASSWORD, (_whole, prefix: string, password: string) => (password === '' ? `${prefix}:@` : `${prefix}:${MASK}@`));
}

export class Redactor {
  private readonly needles: string[];

  constructor(secrets: Iterable<string>) {
    const all = new Set<string>();
    for (const secret of secrets) {
      if (secret.length < 4) continue; // masking "1" or "us" would garble every message
      all.add(secret);
      // The same secret as it appears inside JSON text or a URL query.
      all.add(JSON.stringify(secret).slice(1, -1));
      all.add(encodeURIComponent(secret));
    }
    // Longest first, so a secret that contains another is masked whole.
    this.needles = [...all].sort((a, b) => b.length - a.length);
  }

  redact(text: string): string {
    let out = redactUrl(text);
    for (const needle of this.needles) {
      if (out.includes(needle)) out = out.split(needle).join(MASK);
    }
    return out;
  }
}

/** Process environment variables whose values are secrets wherever they came from. */
export const SECRET_ENV_NAMES = [
  'RESTIC_PASSWORD',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_ACCESS_KEY_ID',
  'B2_ACCOUNT_KEY',
  'AZURE_ACCOUNT_KEY',
  'GOOGLE_ACCESS_TOKEN',
  'RESTIC_REST_PASSWORD',
];

export function secretsFromEnv(env: Readonly<Record<string, string | undefined>>): string[] {
  return SECRET_ENV_NAMES.flatMap((name) => (env[name] ? [env[name]!] : []));
}
