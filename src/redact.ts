import { isPlainEnvName } from './config/plain-env.js';

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

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export class Redactor {
  private readonly pattern: RegExp | undefined;

  constructor(secrets: Iterable<string>) {
    const all = new Set<string>();
    for (const secret of secrets) {
      if (secret.length < 4) continue; // masking "1" or "us" would garble every message
      all.add(secret);
      // The same secret as it appears inside JSON text or a URL query.
      all.add(JSON.stringify(secret).slice(1, -1));
      all.add(encodeURIComponent(secret));
    }
    // Longest first, so a secret that contains another is masked whole. One alternation
    // scans each text once: a fleet config has thousands of push tokens, and a loop over
    // them per log line cost more than the checks (bench/RESULTS.md).
    const needles = [...all].sort((a, b) => b.length - a.length);
    this.pattern = needles.length === 0 ? undefined : new RegExp(needles.map(escapeRegExp).join('|'), 'g');
  }

  redact(text: string): string {
    const out = redactUrl(text);
    return this.pattern ? out.replace(this.pattern, MASK) : out;
  }
}

// Names of process environment variables that hold credentials, for every backend restic
// and rclone know: RESTIC_PASSWORD, AWS_SECRET_ACCESS_KEY, MINIO_SECRET_KEY, B2_ACCOUNT_KEY,
// AZURE_ACCOUNT_SAS, OS_PASSWORD, ST_KEY, RCLONE_CONFIG_<REMOTE>_PASS / _TOKEN, ...
const SECRET_NAME = /PASS|SECRET|TOKEN|KEY|SAS|CREDENTIAL|^MINIO_ACCESS/i;

/** The one redactor for a run: the config's secrets, the environment's, and any others (an env file's). */
export function redactorFor(env: Readonly<Record<string, string | undefined>>, ...secrets: ReadonlyArray<readonly string[]>): Redactor {
  return new Redactor([...secretsFromEnv(env), ...secrets.flat()]);
}

/** Values of the process environment that are secrets wherever they turn up. */
export function secretsFromEnv(env: Readonly<Record<string, string | undefined>>): string[] {
  return Object.entries(env).flatMap(([name, value]) => (value && SECRET_NAME.test(name) && !isPlainEnvName(name) ? [value] : []));
}
