// Every health signal, once. The order is the one every output lists them in: docs/configuration.md's
// key table and `validate`, the `signals` of status --json, the metrics. A signal that is
// not listed in `signals` (integrity) is read and judged after the listed ones. Adding a
// signal: its module, a line below, and its limits/fields/outputs in the interfaces under it.
import type { KeyDeclaration, ShowContext } from '../config/keys.js';
import type { Check } from '../config/types.js';
import { integrity, type IntegrityFields, type IntegrityJson, type IntegrityResultFields } from '../integrity/signal.js';
import { maxChanged, type MaxChangedLimits } from './max-changed.js';
import { maxLag, type MaxLagFields, type MaxLagJson, type MaxLagLimits, type MaxLagResult } from './max-lag.js';
import { maxLockAge, type MaxLockAgeLimits, type MaxLockAgeResult } from './max-lock-age.js';
import { maxShrink, type MaxShrinkLimits } from './max-shrink.js';
import { minFiles, type MinFilesLimits } from './min-files.js';
import { minSize, type MinSizeLimits } from './min-size.js';
import { minSnapshots, type MinSnapshotsLimits } from './min-snapshots.js';
import { restoreDrill, type RestoreDrillJson, type RestoreDrillLimits, type RestoreDrillResult } from './restore-drill.js';
import { FAST_CAPABILITIES, type Needs, type SignalKey, type SignalModule } from './signal.js';

export const SIGNALS = [minFiles, minSize, maxShrink, minSnapshots, maxLockAge, maxLag, integrity, restoreDrill, maxChanged] as const satisfies readonly SignalModule[];

/** Every signal's config keys by name. */
export type SignalKeyName = (typeof SIGNALS)[number] extends infer M ? (M extends SignalModule<infer K> ? K : never) : never;

/** Each signal's limits, kept in Check.signals; a limit that can never fail is left out. */
export interface SignalLimits extends MinFilesLimits, MinSizeLimits, MaxShrinkLimits, MinSnapshotsLimits, MaxLockAgeLimits, MaxLagLimits, RestoreDrillLimits, MaxChangedLimits {}
/** Check fields of the signals' own. */
export interface SignalCheckFields extends MaxLagFields, IntegrityFields {}
/** CheckResult fields of the signals' own. */
export interface SignalResultFields extends MaxLockAgeResult, MaxLagResult, IntegrityResultFields, RestoreDrillResult {}
/** status --json fields of the signals' own, after `signals`. */
export interface SignalJsonFields extends MaxLagJson, IntegrityJson, RestoreDrillJson {}

const isListed = (signal: SignalModule) => signal.listed !== false;
const ALL: readonly SignalModule[] = SIGNALS;

/** The order signals are read and judged in: the listed ones, then the others. */
export const JUDGED: readonly SignalModule[] = [...ALL.filter(isListed), ...ALL.filter((signal) => !isListed(signal))];
export const LISTED: readonly SignalModule[] = ALL.filter(isListed);

/** Whether fast mode can serve a signal: every capability it needs is one fast mode offers. */
export const servedByFastMode = (signal: SignalModule) => signal.observes.every((capability) => FAST_CAPABILITIES.has(capability));

/** The signals' keys as KEYS declares them (config/keys.ts), in registry order. */
export const SIGNAL_KEYS = Object.fromEntries(
  ALL.flatMap((signal) => Object.entries<SignalKey>(signal.keys).map(([name, { show: _show, ...declaration }]) => [name, declaration])),
) as Readonly<Record<SignalKeyName, KeyDeclaration>>;

/** What `validate` shows of each signal key. */
export const SIGNAL_SHOWN: Readonly<Record<string, { label?: string; show: (check: Check, context: ShowContext) => unknown }>> = Object.fromEntries(
  ALL.flatMap((signal) => Object.entries<SignalKey>(signal.keys).flatMap(([name, key]) => (key.show === undefined ? [] : [[name, { show: key.show }]]))),
);

/**
 * What the configured signals of one check need observed, merged: the plan and the
 * checkers ask for these, by capability, never by signal.
 */
export function needsOf(check: Check): Needs {
  const needs: Needs = {};
  for (const signal of ALL) {
    const more = signal.needs?.(check);
    if (more === undefined) continue;
    if (more.previous) needs.previous = true;
    if (more.everySnapshot) needs.everySnapshot = true;
    if (more.locks) needs.locks = true;
    if (more.primary !== undefined) needs.primary ??= more.primary;
    if (more.drill !== undefined) needs.drill ??= more.drill;
  }
  return needs;
}

/**
 * The names of the listed signals `limits` set, in registry order ("min_files, max_shrink");
 * `needRestic`: only those fast mode cannot serve.
 */
export function signalNames(limits: Check['signals'], needRestic = false): string[] {
  if (limits === undefined) return [];
  return LISTED.filter((signal) => signal.configured(limits) && !(needRestic && servedByFastMode(signal))).map((signal) => signal.name);
}
