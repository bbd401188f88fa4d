// Every config key, declared once (a health signal's keys in its module, health/registry.ts). The unknown-key check and its "did you mean", the raw
// shape check, the defaults, the parsed Check fields of the plain keys, `validate`'s output
// and the key tables of docs/configuration.md (test/config/keys-declared.unit.test.ts) all come from here.
import { cronProblem, processTimeZone, timeZoneProblem } from '../cron.js';
import { formatDuration } from '../duration.js';
import { MASK } from '../redact.js';
import { SIGNAL_KEYS, SIGNAL_SHOWN } from '../health/registry.js';
import { isPlainEnvName } from './plain-env.js';
import type { Check } from './types.js';

/** Where a key may be written: the top level, a repository, `defaults`, a `hosts:` entry. */
export type Place = 'top' | 'repository' | 'defaults' | 'host';

/** The shape a key's raw YAML value must have before it is expanded and validated. */
export type RawKind = 'string' | 'map' | 'map-or-false' | 'list' | 'integer' | 'hosts' | 'scalar' | 'discover';

/**
 * What a key's value is. A `text`, `duration`, `choice` or `list` key with a `field` is read
 * the same way as every key of its type (templates, then ${VAR}, then its check) by
 * `buildCheck`, into that Check field; the others (url, the push targets, extra_env, host,
 * hosts and the top-level keys) are read by code of their own in config/.
 */
export type ValueSpec =
  | { type: 'text'; check?: (value: string) => string | undefined }
  /** `timer`: the value becomes one setTimeout, which cannot wait longer than MAX_TIMER_MS. */
  | { type: 'duration'; default: string; timer?: boolean }
  | { type: 'choice'; values: readonly string[]; default: string }
  | { type: 'list' }
  | { type: 'env' }
  | { type: 'hosts' }
  /** `switchable`: `false` in a repository or host switches off the mapping set in `defaults`. */
  | { type: 'map'; switchable?: true }
  | { type: 'integer' }
  /** A string or a number, read by the key's own reader (its health signal's module). */
  | { type: 'scalar' }
  /** A list of `{url, check}` locations, read by config/discover.ts. */
  | { type: 'discover' };

/** What `validate` shows of a check besides the config: the plan's decision. */
export interface ShowContext {
  redact: (text: string) => string;
  /** The plan's mode text (describePlan), e.g. "fast (s3)". */
  mode: string;
  /** The plan's checker kind. */
  kind: string;
}

export interface KeyDeclaration {
  value: ValueSpec;
  places: readonly Place[];
  /** The Check field a plain (`text`/`duration`/`choice`/`list`) key is parsed into. */
  field?: string;
  /** The field may be unset on a Check built by hand (tests); parsed configs always set it. */
  optional?: true;
  /** Why a `hosts:` entry may not set a repository key (places without 'host'). */
  notInHost?: string;
  /** Why `defaults` may not set a repository key (places without 'defaults'). */
  notInDefaults?: string;
  /** The key table's default column (markdown, docs/configuration.md). */
  shownDefault: string;
  /** The key table's meaning column: one line of markdown. */
  doc: string;
}

const EVERYWHERE: readonly Place[] = ['repository', 'defaults', 'host'];
const duration = (ms: number) => formatDuration(ms, true);

/**
 * The order is `validate`'s output order, then the keys it does not show; ties in "did you
 * mean" go to the earlier key.
 */
const BEFORE_SIGNALS = {
  url: {
    value: { type: 'text' },
    places: ['repository', 'defaults'],
    notInHost: "a host shares its repository's url",
    shownDefault: '(required)',
    doc: 'restic repository: a path, `local:`, `sftp:`, `rest:`, `s3:`, `rclone:`, ...',
  },
  mode: {
    value: { type: 'choice', values: ['restic', 'fast', 'auto'], default: 'restic' },
    places: EVERYWHERE,
    field: 'mode',
    shownDefault: '`restic`',
    doc: '`restic`, `fast` or `auto`; see [Modes](modes.md). `RESTIC_MONITOR_FAST=true` makes `fast` the default',
  },
  reader: {
    // RESTIC_MONITOR_READER replaces the default (config/parse.ts).
    value: { type: 'choice', values: ['auto', 'builtin', 'restic'], default: 'auto' },
    places: EVERYWHERE,
    field: 'reader',
    optional: true,
    shownDefault: '`auto`',
    doc: 'restic mode: `auto`, `builtin` or `restic`; see [The built-in reader](modes.md#the-built-in-reader)',
  },
  max_age: {
    value: { type: 'duration', default: '1d' },
    places: EVERYWHERE,
    field: 'maxAgeMs',
    shownDefault: '`1d`',
    doc: 'newest snapshot older than this is down: `30m`, `6h`, `1d`, `1w`, `1h30m`, `36h` (see [Durations](#durations))',
  },
  timeout: {
    value: { type: 'duration', default: '10m', timer: true },
    places: EVERYWHERE,
    field: 'timeoutMs',
    shownDefault: '`10m`',
    doc: "a check taking longer is killed (restic and everything it started) and reported down; at most `24d20h31m23s` (a timer's limit)",
  },
  schedule: {
    value: { type: 'text', check: cronProblem },
    places: EVERYWHERE,
    field: 'schedule',
    shownDefault: 'none',
    doc: 'daemon mode, instead of `interval`: run the check at these cron times (`0 6,18 * * *`: five fields, minute first) in `time_zone`; of `schedule` and `interval` the one set nearest the check wins (host entry, then repository, then `defaults`), both in one place is an error ([docs/daemon.md](daemon.md#schedule))',
  },
  time_zone: {
    value: { type: 'text', check: timeZoneProblem },
    places: EVERYWHERE,
    field: 'timeZone',
    shownDefault: "the process's (`TZ`)",
    doc: 'the IANA time zone a `schedule` runs in, e.g. `Europe/Berlin`; ignored with `interval`',
  },
  push_url: {
    value: { type: 'text' },
    places: EVERYWHERE,
    shownDefault: 'none',
    doc: "Uptime Kuma push URL, e.g. `https://kuma.example.com/api/push/`; or the monitor's whole URL as Kuma shows it (`https://kuma.example.com/api/push/TOKEN?status=up&msg=OK&ping=`): the token after `/api/push/` is taken as `push_token` (then `push_token` must not be set too) and the query is dropped",
  },
  push_token: {
    value: { type: 'text' },
    places: EVERYWHERE,
    shownDefault: 'none',
    doc: "the push monitor's token; without one the repository is checked and shown but nothing is pushed",
  },
  ping_url: {
    value: { type: 'text' },
    places: EVERYWHERE,
    shownDefault: 'none',
    doc: 'healthchecks.io-style ping URL; its path and its query values are secrets',
  },
  host: {
    value: { type: 'text' },
    places: ['repository', 'defaults'],
    notInHost: 'the host is the key of this entry',
    shownDefault: 'none',
    doc: 'only snapshots of this host count (restic `--host`)',
  },
  tags: {
    value: { type: 'list' },
    places: EVERYWHERE,
    field: 'tags',
    shownDefault: 'none',
    doc: 'only snapshots with all these tags count (restic `--tag`)',
  },
  paths: {
    value: { type: 'list' },
    places: EVERYWHERE,
    field: 'paths',
    shownDefault: 'none',
    doc: 'only snapshots of these paths count (restic `--path`)',
  },
  ca_cert: {
    value: { type: 'text' },
    places: EVERYWHERE,
    field: 'caCert',
    shownDefault: 'none',
    doc: "PEM file trusted for the repository's TLS endpoint (restic `--cacert`)",
  },
  cache_dir: {
    value: { type: 'text' },
    places: EVERYWHERE,
    field: 'cacheDir',
    shownDefault: "restic's",
    doc: 'restic `--cache-dir`; `off` runs restic with `--no-cache`',
  },
  extra_env: {
    value: { type: 'env' },
    places: EVERYWHERE,
    shownDefault: '`{}`',
    doc: 'environment for restic (`RESTIC_PASSWORD_FILE`, `AWS_*`, `RCLONE_*`, ...); values are secrets',
  },
  push_timeout: {
    value: { type: 'duration', default: '10s', timer: true },
    places: EVERYWHERE,
    field: 'pushTimeoutMs',
    shownDefault: '`10s`',
    doc: "one push attempt, the answer included (at most 4 KiB of it is read); a failed attempt is retried twice (1 s, then 2 s later), except Kuma's `Monitor not found or not active.`; at most `24d20h31m23s`. Kuma answers a push to a busy database after up to 5 s: below `6s`, `validate` warns (a late answer is retried and stored twice)",
  },
  // Not bounded: the scheduler splits a longer wait into timer-sized steps.
  interval: {
    value: { type: 'duration', default: '1h' },
    places: EVERYWHERE,
    field: 'intervalMs',
    shownDefault: '`1h`',
    doc: 'daemon mode: how often the repository is checked (any length: a wait longer than a timer holds is taken in steps)',
  },
  region: {
    value: { type: 'text' },
    places: EVERYWHERE,
    field: 'region',
    shownDefault: 'see [docs/fast-mode.md](fast-mode.md)',
    doc: 'fast mode on S3: signing region',
  },
  bucket_lookup: {
    value: { type: 'choice', values: ['auto', 'path', 'dns'], default: 'auto' },
    places: EVERYWHERE,
    field: 'bucketLookup',
    shownDefault: '`auto`',
    doc: 'fast mode on S3: `auto`, `path` or `dns` addressing',
  },
} as const satisfies Record<string, KeyDeclaration>;

const AFTER_SIGNALS = {
  hosts: {
    value: { type: 'hosts' },
    places: ['repository'],
    notInHost: 'hosts do not nest',
    notInDefaults: 'only a repository can fan out into hosts',
    shownDefault: 'none',
    doc: 'one check per host of a shared repository: `hosts: {web1: {push_token: ...}, ...}`, named `<repository>/<host>` ([docs/beyond.md](beyond.md)); a repository key equal to such a name is an error',
  },
  defaults: {
    value: { type: 'map' },
    places: ['top'],
    shownDefault: '`{}`',
    doc: 'keys every repository inherits',
  },
  repositories: {
    value: { type: 'map' },
    places: ['top'],
    shownDefault: '(required)',
    doc: 'repository name → keys; the name is what `{{ .Name }}` expands to',
  },
  concurrency: {
    value: { type: 'integer' },
    places: ['top'],
    shownDefault: 'number of CPUs',
    doc: "how many repositories are checked at once (1 to 1024); pushes have a bound of their own (16), so a slow Uptime Kuma never holds a check's place",
  },
  listen: {
    value: { type: 'text' },
    places: ['top'],
    shownDefault: 'none',
    doc: 'daemon mode: `host:port` of the metrics and status endpoint',
  },
  kuma: {
    // Read by config/kuma.ts; its sub-keys are declared there (KUMA_KEYS).
    value: { type: 'map' },
    places: ['top'],
    shownDefault: 'none',
    doc: 'Uptime Kuma itself: its `url` (the default `push_url`), the login `kuma sync` uses to make a push monitor for every check, and push tokens derived from `token_secret`; see [Uptime Kuma monitors from the config](uptime-kuma.md#uptime-kuma-monitors-from-the-config)',
  },
  discover: {
    value: { type: 'discover' },
    places: ['top'],
    shownDefault: 'none',
    doc: 'where to look for restic repositories: a list of `{url, check}` (an `s3:` prefix, a directory or `rclone:REMOTE:PATH`; `check` defaults to `true`: check each one found with `defaults`; `false`: report those no check covers as unmonitored); see [Health signals](health-signals.md)',
  },
} as const satisfies Record<string, KeyDeclaration>;

/**
 * The order is `validate`'s output order, then the keys it does not show; ties in "did you
 * mean" go to the earlier key. The health signals' keys sit between the two halves.
 */
export const KEYS: typeof BEFORE_SIGNALS & typeof SIGNAL_KEYS & typeof AFTER_SIGNALS = { ...BEFORE_SIGNALS, ...SIGNAL_KEYS, ...AFTER_SIGNALS };

export type KeyName = keyof typeof KEYS;

/**
 * What `validate` shows of a check, key by key in KEYS' order, under the key's name or the
 * label given; undefined leaves the entry out. (Apart from KEYS so that Check, derived from
 * KEYS, can be used here.)
 */
export const SHOWN: { readonly [K in KeyName]?: { label?: string; show: (check: Check, context: ShowContext) => unknown } } = {
  url: { show: (check, { redact }) => redact(check.url) },
  // The run's own decision (plan.ts), with the reason when fast mode was asked for and restic serves.
  mode: { show: (_check, { mode }) => mode },
  // Shown when it is not the default: which reader a restic-mode check will use.
  reader: { show: (check, { kind }) => (check.reader !== undefined && check.reader !== KEYS.reader.value.default && kind === 'restic' ? check.reader : undefined) },
  max_age: { show: (check) => duration(check.maxAgeMs) },
  timeout: { show: (check) => duration(check.timeoutMs) },
  schedule: { show: (check) => check.schedule },
  // The zone is resolved when shown, so that a config without one shows where it will run.
  time_zone: { show: (check) => (check.schedule === undefined ? undefined : (check.timeZone ?? `${processTimeZone()} (the process's zone)`)) },
  push_url: { label: 'push', show: (check, { redact }) => (check.pushUrl && check.pushToken ? `${redact(check.pushUrl.replace(/\/*$/, '/'))}${MASK}` : null) },
  ping_url: { label: 'ping', show: (check, { redact }) => (check.pingUrl ? redact(check.pingUrl) : undefined) },
  host: { show: (check) => check.host || undefined },
  tags: { show: (check) => (check.tags.length > 0 ? check.tags : undefined) },
  paths: { show: (check) => (check.paths.length > 0 ? check.paths : undefined) },
  ca_cert: { show: (check) => check.caCert || undefined },
  cache_dir: { show: (check) => check.cacheDir || undefined },
  extra_env: { show: (check) => Object.fromEntries(Object.entries(check.extraEnv).map(([key, value]) => [key, isPlainEnvName(key) ? value : MASK])) },
};
type Declared = (typeof BEFORE_SIGNALS)[keyof typeof BEFORE_SIGNALS] | (typeof AFTER_SIGNALS)[keyof typeof AFTER_SIGNALS];

/** The raw YAML shape of each value type. */
export function rawKind(value: ValueSpec): RawKind {
  switch (value.type) {
    case 'text':
    case 'duration':
    case 'choice':
      return 'string';
    case 'env':
      return 'map';
    case 'map':
      return value.switchable ? 'map-or-false' : 'map';
    default:
      return value.type;
  }
}

const declarations = Object.entries(KEYS) as [string, KeyDeclaration][];

/** Keys a repository (or `defaults`, or a host entry) may hold, in declaration order. */
export const REPOSITORY_KEYS: Readonly<Record<string, RawKind>> = Object.fromEntries(
  declarations.filter(([, key]) => key.places.includes('repository')).map(([name, key]) => [name, rawKind(key.value)]),
);

export const TOP_LEVEL_KEYS: Readonly<Record<string, RawKind>> = Object.fromEntries(
  declarations.filter(([, key]) => key.places.includes('top')).map(([name, key]) => [name, rawKind(key.value)]),
);

/** Repository keys a host entry may not set, with the reason. */
export const REPOSITORY_ONLY: Readonly<Record<string, string>> = Object.fromEntries(
  declarations.flatMap(([name, key]) => (key.notInHost === undefined ? [] : [[name, key.notInHost]])),
);

/** Repository keys `defaults` may not set, with the reason. */
export const NOT_IN_DEFAULTS: Readonly<Record<string, string>> = Object.fromEntries(
  declarations.flatMap(([name, key]) => (key.notInDefaults === undefined ? [] : [[name, key.notInDefaults]])),
);

/** Every key that `validate` shows, in output order. */
export function showCheck(check: Check, context: ShowContext): Record<string, unknown> {
  const shown: Record<string, unknown> = {};
  for (const [name] of declarations) {
    const entry = SHOWN[name as KeyName] ?? SIGNAL_SHOWN[name];
    const value = entry?.show(check, context);
    if (value !== undefined) shown[entry?.label ?? name] = value;
  }
  return shown;
}

/** A default as parsed: a duration's or a choice's `default`. */
export function defaultOf<K extends KeyName>(name: K): (typeof KEYS)[K]['value'] extends { default: infer D } ? D : never {
  return (KEYS[name].value as { default?: unknown }).default as never;
}

// The Check fields of the plain keys, typed from their declarations.
type FieldValue<V> = V extends { type: 'duration' }
  ? number
  : V extends { type: 'choice'; values: readonly (infer C)[] }
    ? C
    : V extends { type: 'list' }
      ? string[]
      : V extends { type: 'text' }
        ? string
        : never;
type WithField = Extract<Declared, { field: string }>;
type RequiredDecl = Exclude<WithField, { optional: true } | { value: { type: 'text' } }>;
type OptionalDecl = Exclude<WithField, RequiredDecl>;

/** The parsed values of every declared key that has a `field`. */
export type DeclaredFields = { [D in RequiredDecl as D['field']]: FieldValue<D['value']> } & {
  [D in OptionalDecl as D['field']]?: FieldValue<D['value']>;
};
