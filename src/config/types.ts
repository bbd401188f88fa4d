import type { SignalCheckFields, SignalLimits } from '../health/registry.js';
import type { KumaSettings } from './kuma.js';
import { defaultOf, type DeclaredFields } from './keys.js';

export type { SignalLimits };

/** How a repository's newest snapshot is found; `auto` picks fast where the URL allows it. */
export type ModeChoice = DeclaredFields['mode'];
export type BucketLookup = DeclaredFields['bucketLookup'];
/** Restic mode: the built-in reader, the restic binary, or the built-in one where it can read (auto). */
export type ReaderChoice = NonNullable<DeclaredFields['reader']>;

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
 * The plain keys' fields (maxAgeMs, timeoutMs, mode, tags, ...) come from their
 * declarations in keys.ts; the ones below are read by code of their own (config/check.ts),
 * and the health signals' own fields come from their modules (health/registry.ts).
 */
export interface Check extends Repository, DeclaredFields, SignalCheckFields {
  /** Unique: the repository's key, or `repository/host` for a host of `hosts:`. */
  name: string;
  /** The repository's key in the config (`name` without `/host`). */
  repository: string;
  /** Uptime Kuma push base URL; the push goes to pushUrl + pushToken. */
  pushUrl?: string;
  pushToken?: string;
  /** healthchecks.io-style ping URL (its path is the credential). */
  pingUrl?: string;
  /** The restic --host filter: the `host` key, or the host of a `hosts:` entry. */
  host?: string;
  /** Health signals beyond freshness (health/registry.ts); unset when none is configured. */
  signals?: SignalLimits;
}

export interface Config {
  /** Every check, in config order. */
  checks: Check[];
  /**
   * Checks whose look selected checks compare with (Needs.primary) and that `--only` left
   * out: looked at for those, never pushed or shown.
   */
  unselectedPrimaries?: Check[];
  /** How many checks run at once. */
  concurrency: number;
  /** Daemon HTTP endpoint, "host:port"; unset means none. */
  listen?: string;
  /** Every secret value found while parsing: tokens, extra_env values, ${VAR} values. */
  secrets: string[];
  /** Top-level `discover:`, in config order; unset when the config has none. */
  discover?: Discover;
  /** What works but may not do what was meant (a push_timeout Kuma may outlast); `validate` shows them. */
  warnings?: string[];
  /** Top-level `kuma:`; unset when the config has none. */
  kuma?: KumaSettings;
}

/** Where to look for repositories, and how to check the ones found (config/discover.ts). */
export interface Discover {
  locations: DiscoverLocation[];
  /**
   * The check of a repository found at `url`, named `name`: `defaults` with that url (its
   * `{{ .Name }}` is `name`); or the problems that keep `defaults` from making one. Secrets
   * it expanded (a `${VAR}` named by a template) come back with it.
   */
  checkFor(name: string, url: string): { check: Check; secrets: string[] } | { problems: string[] };
}

export interface DiscoverLocation {
  /** Where it is written: `discover[0]`. */
  where: string;
  url: string;
  /** true: each repository found is checked with defaults; false: only compared with the checks. */
  check: boolean;
  /**
   * `defaults` applied to the location's url: the listing's credentials (extra_env), ca_cert,
   * region, bucket_lookup and timeout, and the max_age shown on its rows.
   */
  listing: Check;
}

/** The declared defaults (keys.ts), under the names the code uses. */
export const DEFAULTS = {
  maxAge: defaultOf('max_age'),
  timeout: defaultOf('timeout'),
  pushTimeout: defaultOf('push_timeout'),
  interval: defaultOf('interval'),
  mode: defaultOf('mode') as ModeChoice,
  bucketLookup: defaultOf('bucket_lookup') as BucketLookup,
  reader: defaultOf('reader') as ReaderChoice,
};
