import { inspect } from 'node:util';
import { isCredentialName, isPlainEnvName } from './config/plain-env.js';
import { printable } from './text.js';
import { redactRcloneSpecs } from './urls/rclone.js';

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

/** Credentials found by their place in a URL: a password before `@`, an rclone connection string's keys. */
export function redactUrl(text: string): string {
  const masked = text.replace(URL_PASSWORD, (_whole, prefix: string, password: string) => (password === '' ? `${prefix}:@` : `${prefix}:${MASK}@`));
  return redactRcloneSpecs(masked);
}

/**
 * Every form a secret takes in the text that carries it: as written; inside JSON (a log
 * line, an SDK's error); quoted by util.inspect, as Node's own errors quote a value
 * (`Received 'SECRET\x00tail'`); with its control characters escaped, as our own output
 * writes them, and its quotes and backslashes too, as Go's %q in restic's and rclone's
 * errors; percent-encoded in a URL path or query (`%20`) and form-encoded (`+`).
 */
export function secretForms(secret: string): string[] {
  return [
    secret,
    JSON.stringify(secret).slice(1, -1),
    inspect(secret).slice(1, -1),
    printable(secret),
    printable(secret.replace(/["\\]/g, '\\$&')),
    encodeURIComponent(secret),
    encodeURI(secret),
    new URLSearchParams({ s: secret }).toString().slice(2),
  ];
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
      for (const form of secretForms(secret)) all.add(form);
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


/** The one redactor for a run: the config's secrets, the environment's, and any others (an env file's). */
export function redactorFor(env: Readonly<Record<string, string | undefined>>, ...secrets: ReadonlyArray<readonly string[]>): Redactor {
  return new Redactor([...secretsFromEnv(env), ...secrets.flat()]);
}

/** Values of the process environment that are secrets wherever they turn up. */
export function secretsFromEnv(env: Readonly<Record<string, string | undefined>>): string[] {
  return Object.entries(env).flatMap(([name, value]) => (value && isCredentialName(name) && !isPlainEnvName(name) ? [value] : []));
}
