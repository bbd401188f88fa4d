/** How a repository's newest snapshot is found; `auto` picks fast where the URL allows it. */
export type ModeChoice = 'restic' | 'fast' | 'auto';
export type BucketLookup = 'auto' | 'path' | 'dns';
/** Restic mode: the built-in reader, the restic binary, or the built-in one where it can read (auto). */
export type ReaderChoice = 'auto' | 'builtin' | 'restic';

/**
 * A repository: where snapshots live and what it takes to read them. Checks of one
 * repository (its hosts, after `hosts:` fans it out) share all of this.
 */
export interface Repository {
  url: string;
  extraEnv: Record<string, string>;
  /** PEM bundle trusted for this repository's TLS endpoint (restic --cacert). */
  caCert?: string;
  /** restic --cache-dir; "off" means --no-cache. Unset: restic's own default. */
  cacheDir?: string;
  region?: string;
  bucketLookup: BucketLookup;
}

/**
 * A check: one row of output. A repository, or one host of it, with its limits, filters
 * and push targets, after defaults are merged, templates expanded and values validated.
 */
export interface Check extends Repository {
  /** Unique: the repository's key, or `repository/host` for a host of `hosts:`. */
  name: string;
  /** The repository's key in the config (`name` without `/host`). */
  repository: string;
  maxAgeMs: number;
  /** Uptime Kuma push base URL; the push goes to pushUrl + pushToken. */
  pushUrl?: string;
  pushToken?: string;
  /** healthchecks.io-style ping URL (its path is the credential). */
  pingUrl?: string;
  /** Upper bound for one check (restic run or S3 listing), after which it is killed. */
  timeoutMs: number;
  /** Upper bound for one push attempt. */
  pushTimeoutMs: number;
  mode: ModeChoice;
  /** Unset: auto. Parsed configs always set it. */
  reader?: ReaderChoice;
  /** Daemon only: how often this check runs. */
  intervalMs: number;
  /** restic-mode filters (restic snapshots --host/--tag/--path). */
  host?: string;
  tags: string[];
  paths: string[];
}

export interface Config {
  /** Every check, in config order. */
  checks: Check[];
  /** How many checks run at once. */
  concurrency: number;
  /** Daemon HTTP endpoint, "host:port"; unset means none. */
  listen?: string;
  /** Every secret value found while parsing: tokens, extra_env values, ${VAR} values. */
  secrets: string[];
}

export const DEFAULTS = {
  maxAge: '1d',
  timeout: '10m',
  pushTimeout: '10s',
  interval: '1h',
  mode: 'restic' as ModeChoice,
  bucketLookup: 'auto' as BucketLookup,
  reader: 'auto' as ReaderChoice,
};
