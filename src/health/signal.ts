// The contract of a health signal. A signal is one module (one file under health/, or a
// folder of its own) that declares its config keys, what it needs observed, its pure
// judgement and its outputs; registry.ts lists them. Config, plan, checkers, verdict, JSON,
// metrics and the key tables in docs/ run over the registry and never name a signal. Checkers and
// the run offer observations by capability (below) and never know which signal asked.
import type { Log } from '../log.js';
import type { SeenLock } from '../checkers/lock-facts.js';
import type { SnapshotFacts } from '../checkers/snapshot-facts.js';
import type { KeyDeclaration, ShowContext } from '../config/keys.js';
import type { Check } from '../config/types.js';
import type { Timers } from '../daemon/timers.js';
import type { CheckResultJson } from '../run/result-json.js';
import type { CheckResult } from '../run/result.js';
import type { SignalLimits } from './registry.js';

/**
 * What can be observed of a check, by capability:
 * - `summary`: the newest snapshot's summary (restic mode: every listing has it);
 * - `previous`: the snapshot before the newest, of the same host and paths;
 * - `count`: every snapshot, counted;
 * - `locks`: the repository's oldest lock (fast mode too: lock file times);
 * - `primary`: another check's look (its newest snapshot), in the same run;
 * - `drill`: a file read back from the latest snapshot (`restic dump`) and the time in it;
 * - `background`: what the signal's own daemon service observed (its schedule, its runs).
 */
export type Capability = 'summary' | 'previous' | 'count' | 'locks' | 'primary' | 'drill' | 'background';

/** What fast mode offers without a password: file times, and another check's look. */
export const FAST_CAPABILITIES: ReadonlySet<Capability> = new Set(['locks', 'primary']);

/**
 * What another check's look saw (a copy compares itself with its primary): `latest` (null:
 * no snapshot), `failure` (it could not be checked), or neither (not checked yet: the
 * daemon before that check's first look).
 */
export interface PrimarySeen {
  /** That check's name. */
  name: string;
  latest?: Date | null;
  failure?: string;
}

/**
 * One drill: when it ran and the time the file held, or why it failed ("/var/lib/canary not
 * in the latest snapshot", restic's own reason). Judged as of `at`, so that a drill the
 * daemon keeps between checks says what it found then.
 */
export type DrillRun = { at: Date; writtenAt: Date } | { at: Date; failure: string };

/** What a drill reads; any change in it (its signal's settings) is another drill. */
export interface DrillNeed {
  /** Absolute, as the backup saw it. */
  path: string;
  /** Daemon: how long a drill that read a time stands before the next (a one-shot run drills each time). */
  intervalMs: number;
}

/** What the configured signals of one check need observed (needsOf in registry.ts merges them). */
export interface Needs {
  previous?: boolean;
  everySnapshot?: boolean;
  locks?: boolean;
  /** The name of the check whose look this one compares with. */
  primary?: string;
  drill?: DrillNeed;
}

/**
 * What a check that could be made saw, as the signals judge it. Each capability is absent
 * when it was not observed (not asked for, or a checker that cannot offer it).
 */
export interface Seen {
  /** The newest snapshot's time; null when there is none. */
  latest: Date | null;
  facts?: SnapshotFacts;
  /** The oldest lock, null when the repository holds none. */
  oldestLock?: SeenLock | null;
  primary?: PrimarySeen;
  drill?: DrillRun;
  /** What the daemon's background services observed for this check, by signal name. */
  background?: Readonly<Record<string, unknown>>;
}

/**
 * One judgement. `ok: null`: could not be judged, which alone never makes a check down;
 * `unchecked` says why, for an `up` message (only when the check saw something to say it
 * about). A listed signal also gives its `limit` and `value`, in its own unit.
 */
export interface Judgement {
  ok: boolean | null;
  /** The failure as the verdict's message shows it, when `ok` is false. */
  failure?: string;
  unchecked?: string;
  limit?: number;
  value?: number | null;
}

/** A key a signal declares: as KEYS declares a key (config/keys.ts), and what `validate` shows of it. */
export interface SignalKey extends KeyDeclaration {
  show?: (check: Check, context: ShowContext) => unknown;
}

/** How a signal reads its keys for one check (config/check.ts provides it). */
export interface ReadContext {
  /** The key's value: a string with templates and ${VAR} expanded, anything else as written; undefined when unset. */
  value(key: string): unknown;
  /** The key's value as written (the check's own layers, else defaults), nothing expanded. */
  raw(key: string): unknown;
  /** Whether the check's own layers (repository, host entry) set the key, rather than defaults. */
  own(key: string): boolean;
  /** The key as written in the check's own layers and in defaults (a mapping merged sub-key by sub-key). */
  layers(key: string): { own: unknown; defaults: unknown };
  /** Where the key's value was written, for messages: `repositories.db`, `repositories.fleet.hosts.web1`, `defaults`. */
  where(key: string): string;
  /** Templates and ${VAR} in one text, reported at `path` when they fail. */
  expand(path: string, raw: string): string | undefined;
  fail(problem: string): void;
  /** The check's max_age; undefined when its value was bad. */
  maxAgeMs: number | undefined;
}

/** What a signal read: its limits (kept in Check.signals) and Check fields of its own. */
export interface Read {
  limits?: Partial<SignalLimits>;
  check?: Partial<Check>;
}

/** A check as config/parse.ts built it, with where it is written (for a signal that names other checks). */
export interface BuiltCheck {
  check: Check;
  /** The host of a `hosts:` entry. */
  host?: string;
  where(key: string): string;
}

/** A metric series per check: `restic_monitor_<name>{check,repository,mode[,reader]}`. */
export interface SignalMetric {
  name: string;
  help: string;
  /** The sample of one check's last result; undefined: none. */
  value(result: CheckResult): number | undefined;
  /** A label of its own (`primary="nas"`); such a family follows signal_ok in the output. */
  label?: { name: string; value(result: CheckResult): string | undefined };
}

/** What the daemon hands a signal's background service. */
export interface BackgroundDeps {
  checks: readonly Check[];
  env: Readonly<Record<string, string | undefined>>;
  now: () => Date;
  timers?: Timers;
  /** The daemon's logger and redactor of the moment (a reload replaces both). */
  logger: () => Log;
  redact: (text: string) => string;
  /** Judges these checks again now: what the service observed for them changed. */
  recheck: (which: (check: Check) => boolean) => void;
}

export interface BackgroundService {
  start(): void;
  /** A reload or a discovery changed the checks. */
  update(checks: readonly Check[]): void;
  stop(): Promise<void>;
  /** What it observed for one check, as the signal's judge reads it; undefined: nothing for this check. */
  observe(check: Check): unknown;
}

/**
 * A daemon-only observation with a schedule of its own. `run` and `status` do not make it:
 * they log `<name>: not checked by <command>: <oneShot>` for the repositories that set it.
 */
export interface Background {
  applies(check: Check): boolean;
  oneShot: string;
  start(deps: BackgroundDeps): BackgroundService;
}

/** A signal; `Key` names its config keys (KEYS is typed by them). */
export interface SignalModule<Key extends string = string> {
  /** As `signals[].name`, `signal_ok{signal=...}` and the SIGNALS column show it. */
  readonly name: string;
  /** Its keys, in the order the key tables and `validate` list them. */
  readonly keys: Readonly<Record<Key, SignalKey>>;
  /** What it needs observed; fast mode can serve it when every capability is a fast one. */
  readonly observes: readonly Capability[];
  /**
   * false: its judgement is not one of `signals` (status --json) but a field of its own; it
   * is read and judged after the listed ones, and its failure leads the message.
   */
  readonly listed?: false;
  /** Reads its keys for one check (undefined: it sets none); each bad value reported with its key path. */
  read(context: ReadContext): Read | undefined;
  /** Called once every check is built (a signal that names another check resolves the name). */
  resolve?(built: readonly BuiltCheck[], names: readonly string[], report: (problem: string) => void): void;
  /** Whether these limits set it (a listed signal). */
  configured(limits: SignalLimits): boolean;
  /** What it needs observed for one check beyond the summary; undefined: nothing. */
  needs?(check: Check): Needs | undefined;
  /**
   * Pure: its judgement of what a check saw (`seen` undefined: the check failed), as of
   * `now`; undefined when the check does not set it. A listed signal always judges when set.
   */
  judge(limits: SignalLimits, seen: Seen | undefined, now: Date): Judgement | undefined;
  /** Its fields of a check's result (run/result.ts), from what the check saw. */
  report?(check: Check, observed: Seen | { failure: string }, startedAt: Date, background: Seen['background']): Partial<CheckResult>;
  /** Its `status --json` fields (after `signals`). */
  json?(result: CheckResult): Partial<CheckResultJson>;
  readonly metrics?: readonly SignalMetric[];
  /** An unlisted signal: whether it held, for signal_ok (null or undefined: no series). */
  held?(result: CheckResult): boolean | null | undefined;
  readonly background?: Background;
}
