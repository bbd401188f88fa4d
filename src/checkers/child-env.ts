/**
 * The environment restic and rclone run with, built on purpose: the monitor's environment
 * (with the environment file laid over it) minus what would change which repository, which
 * password or which snapshots a child sees; then the repository's own extra_env; then what
 * the monitor sets itself. Pure. docs/modes.md, "What restic and rclone inherit", states the same rules.
 */
export type Env = Readonly<Record<string, string | undefined>>;

export interface Rule {
  names: RegExp;
  why: string;
}

/** Set by the monitor alone: dropped from the environment and from extra_env alike. */
export const MONITOR_SETS: Rule = {
  names: /^RESTIC_REPOSITORY(_FILE)?$/,
  why: "the repository is the config's url, handed to restic as RESTIC_REPOSITORY",
};

/** Never taken from the monitor's environment; a repository may still set them in extra_env. */
export const NOT_INHERITED: readonly Rule[] = [
  { names: /^RESTIC_HOST$/, why: 'restic 0.17+ reads it as a default --host filter: every other host would show "no snapshots"' },
  {
    names: /^RESTIC_FROM_|^RESTIC_(REPOSITORY|REPOSITORY_FILE|PASSWORD|PASSWORD_FILE|PASSWORD_COMMAND|KEY_HINT)2$/,
    why: 'a second repository and its password (restic copy): no check needs them',
  },
  {
    names:
      /^RCLONE_(FILTER|FILTER_FROM|EXCLUDE|EXCLUDE_FROM|EXCLUDE_IF_PRESENT|INCLUDE|INCLUDE_FROM|FILES_FROM|FILES_FROM_RAW|FILES_FROM0|MIN_AGE|MAX_AGE|MIN_SIZE|MAX_SIZE|MAX_DEPTH|IGNORE_CASE|HASH_FILTER|DELETE_EXCLUDED|METADATA_(FILTER|EXCLUDE|INCLUDE)(_FROM)?)$/,
    why: 'rclone filters: an inherited RCLONE_MAX_AGE or RCLONE_EXCLUDE hides snapshot files from every listing',
  },
  { names: /^RESTIC_MONITOR_/, why: "the monitor's own settings: no child reads them" },
];

/**
 * Variables that together say who a child is to a backend. When a repository's extra_env sets
 * any `trigger`, every inherited `member` is dropped: its own credentials are used whole,
 * never mixed with the monitor's (restic prefers a password file over RESTIC_PASSWORD, key
 * pairs over a profile, an account key over a SAS: an inherited one would win).
 */
export interface CredentialGroup {
  name: string;
  members: readonly string[];
  triggers: readonly string[];
}

const group = (name: string, members: string[], alsoTriggeredBy: string[] = []): CredentialGroup => ({ name, members, triggers: [...members, ...alsoTriggeredBy] });

export const CREDENTIAL_GROUPS: readonly CredentialGroup[] = [
  group('restic password', ['RESTIC_PASSWORD', 'RESTIC_PASSWORD_FILE', 'RESTIC_PASSWORD_COMMAND']),
  // Fast mode's credentialSource reads the same way: a repository's own pair or profile first.
  group('S3 keys', ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'MINIO_ACCESS_KEY', 'MINIO_SECRET_KEY'], ['AWS_PROFILE', 'AWS_SHARED_CREDENTIALS_FILE']),
  group('REST server login', ['RESTIC_REST_USERNAME', 'RESTIC_REST_PASSWORD']),
  group('B2 key', ['B2_ACCOUNT_ID', 'B2_ACCOUNT_KEY']),
  group('Azure key', ['AZURE_ACCOUNT_KEY', 'AZURE_ACCOUNT_SAS']),
  group('Google credentials', ['GOOGLE_ACCESS_TOKEN', 'GOOGLE_APPLICATION_CREDENTIALS']),
];

/** What of the monitor's environment reaches a child of this repository. */
export function inheritedEnv(env: Env, extraEnv: Env): Record<string, string> {
  const dropped = new Set<string>();
  for (const { members, triggers } of CREDENTIAL_GROUPS) {
    if (triggers.some((name) => extraEnv[name] !== undefined)) for (const name of members) dropped.add(name);
  }
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || dropped.has(name) || MONITOR_SETS.names.test(name)) continue;
    if (NOT_INHERITED.some((rule) => rule.names.test(name))) continue;
    kept[name] = value;
  }
  return kept;
}

/** The whole environment of a child: inherited, then extra_env, then what the monitor sets. */
export function childEnv(env: Env, extraEnv: Readonly<Record<string, string>>, set: Readonly<Record<string, string>> = {}): Record<string, string> {
  const own = Object.fromEntries(Object.entries(extraEnv).filter(([name]) => !MONITOR_SETS.names.test(name)));
  return { ...inheritedEnv(env, extraEnv), ...own, ...set };
}
