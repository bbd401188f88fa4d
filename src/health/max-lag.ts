// mirror_of and max_lag: a repository that is a copy (restic copy, rclone sync) of another
// check's. When the copy stops, the primary stays fresh: the copy's newest snapshot is
// judged against its primary's, from the primary's own look of the same run (the daemon:
// its latest look). Restic mode compares snapshot times, fast mode snapshot file times.
import { formatDuration, readDuration } from '../duration.js';
import { editDistance } from '../config/errors.js';
import type { SignalModule } from './signal.js';

export interface MaxLagLimits {
  /** max_lag: with mirrorOf, how far the newest snapshot may trail the primary's (milliseconds). */
  maxLagMs?: number;
}

export interface MaxLagFields {
  /**
   * mirror_of: the name of the check this repository is a copy of (resolved: `fleet/web1` for
   * `mirror_of: fleet` on a host check `copy/web1`); its limit is signals.maxLagMs.
   */
  mirrorOf?: string;
}

export interface MaxLagResult {
  /** mirror_of: the primary's check name. */
  primary?: string;
  /** How far the newest snapshot trails the primary's (0: not at all); when both are known. */
  mirrorLagMs?: number;
}

export interface MaxLagJson {
  /** mirror_of: the primary's check name (its lag is the max_lag signal's value). */
  mirror_of?: string;
}

export const maxLag: SignalModule<'mirror_of' | 'max_lag'> = {
  name: 'max_lag',
  keys: {
    mirror_of: {
      value: { type: 'text' },
      places: ['repository', 'host'],
      notInDefaults: 'each copy names its own primary: in defaults every repository, the primary too, would be a copy of it',
      shownDefault: 'none',
      doc: "this repository is a copy (`restic copy`, `rclone sync`) of the check named here (`nas`, `fleet/web1`; a repository with `hosts:` means its host of the same name): its newest snapshot trails that check's by at most `max_lag`",
      show: (check) => check.mirrorOf,
    },
    max_lag: {
      value: { type: 'text' },
      places: ['repository', 'defaults', 'host'],
      shownDefault: "the check's `max_age`",
      doc: "with `mirror_of`: how far the newest snapshot may trail the primary's (`1d`); in `defaults` it applies to the checks that set `mirror_of`",
      show: (check) => (check.signals?.maxLagMs === undefined ? undefined : formatDuration(check.signals.maxLagMs, true)),
    },
  },
  observes: ['primary'],
  read(context) {
    const text = (key: string) => {
      const value = context.value(key);
      return typeof value === 'string' ? value : undefined;
    };
    // Never from defaults (NOT_IN_DEFAULTS reports it there once).
    const mirrorOf = context.own('mirror_of') ? text('mirror_of') : undefined;
    const maxLag = text('max_lag');
    if (mirrorOf === undefined) {
      // max_lag in defaults applies to the copies only; set on a check that is no copy it limits nothing.
      if (context.own('max_lag')) context.fail(`${context.where('max_lag')}.max_lag: set, but mirror_of is not (max_lag limits how far a copy trails its primary)`);
      return undefined;
    }
    if (mirrorOf.trim() === '') {
      context.fail(`${context.where('mirror_of')}.mirror_of: is empty`);
      return undefined;
    }
    if (maxLag === undefined) return context.maxAgeMs === undefined ? undefined : { limits: { maxLagMs: context.maxAgeMs }, check: { mirrorOf } };
    const parsed = readDuration(maxLag);
    if ('error' in parsed) {
      context.fail(`${context.where('max_lag')}.max_lag: ${parsed.error}`);
      return undefined;
    }
    return { limits: { maxLagMs: parsed.ms }, check: { mirrorOf } };
  },
  resolve(built, names, report) {
    const copies = built.flatMap(({ check, host, where }) => (check.mirrorOf === undefined ? [] : [{ check, host, where: where('mirror_of'), target: check.mirrorOf }]));
    const primaries = resolveMirrors(copies, names, report);
    for (const { check } of copies) if (primaries.has(check.name)) check.mirrorOf = primaries.get(check.name)!;
  },
  configured: (limits) => limits.maxLagMs !== undefined,
  needs: (check) => (check.mirrorOf === undefined ? undefined : { primary: check.mirrorOf }),
  judge({ maxLagMs }, seen) {
    if (maxLagMs === undefined) return undefined;
    const limit = maxLagMs / 1000;
    const primary = seen?.primary;
    const theirs = primary?.latest;
    if (!seen || !primary || seen.latest === null || theirs === undefined || theirs === null) {
      // A primary that could not be checked says nothing about its copy: never down for it.
      const why = theirs === null ? 'has no snapshots' : primary?.failure !== undefined ? 'could not be checked' : 'has not been checked yet';
      return { limit, value: null, ok: null, ...(seen && primary && seen.latest !== null && { unchecked: `max_lag not checked: ${primary.name} ${why}` }) };
    }
    // A copy ahead of its primary (fast mode: copied files are newer) trails by nothing.
    const lagMs = Math.max(0, theirs.getTime() - seen.latest.getTime());
    const failure = `copy lags ${primary.name} by ${formatDuration(lagMs)} (max_lag ${formatDuration(maxLagMs, true)})`;
    return { limit, value: Math.round(lagMs / 1000), ok: lagMs <= maxLagMs, failure };
  },
  report(check, observed) {
    const primary = 'failure' in observed ? undefined : observed.primary;
    const latest = 'failure' in observed ? null : observed.latest;
    const mirrorLagMs = primary?.latest && latest ? Math.max(0, primary.latest.getTime() - latest.getTime()) : undefined;
    return { ...(check.mirrorOf !== undefined && { primary: check.mirrorOf }), ...(mirrorLagMs !== undefined && { mirrorLagMs }) };
  },
  json: (result) => (result.primary === undefined ? {} : { mirror_of: result.primary }),
  metrics: [
    {
      name: 'mirror_lag_seconds',
      help: 'How far the newest snapshot of a copy (mirror_of) trailed its primary\'s newest at the last check (0: not at all).',
      value: (result) => (result.mirrorLagMs === undefined || result.primary === undefined ? undefined : Math.round(result.mirrorLagMs) / 1000),
      label: { name: 'primary', value: (result) => result.primary },
    },
  ],
};

interface Copy {
  check: { name: string };
  host?: string | undefined;
  /** The key path of the layer that set mirror_of, e.g. `repositories.offsite`. */
  where: string;
  /** mirror_of as written. */
  target: string;
}

/**
 * Resolves each copy's mirror_of to a check name: the name itself, or, for a host check
 * `copy/web1` naming a repository that fans out into hosts, that repository's `web1`.
 * Unknown names (with "did you mean"), a check that names itself, and cycles are reported;
 * `names` is every check of the config (also those with problems of their own), in order.
 * Returns the resolved primary of each copy that resolved.
 */
function resolveMirrors(copies: readonly Copy[], names: readonly string[], report: (problem: string) => void): Map<string, string> {
  const known = new Set(names);
  const resolved = new Map<string, string>();
  for (const copy of copies) {
    const name = copy.check.name;
    const path = `${copy.where}.mirror_of`;
    const hostOf = copy.host === undefined ? undefined : `${copy.target}/${copy.host}`;
    const primary = known.has(copy.target) ? copy.target : hostOf !== undefined && known.has(hostOf) ? hostOf : undefined;
    if (primary === name) {
      report(`${path}: "${copy.target}" is this check itself (a copy needs another repository as its primary)`);
    } else if (primary !== undefined) {
      resolved.set(name, primary);
    } else {
      const hosts = names.filter((other) => other.startsWith(`${copy.target}/`));
      if (hosts.length > 0) report(`${path}: "${copy.target}" has hosts: name one of them (${hosts.join(', ')})`);
      else report(`${path}: "${copy.target}" is not a check of this config${didYouMean(copy.target, names)}`);
    }
  }
  // A cycle (a copy of b, b a copy of a) has no primary to start from: reported once, at its
  // first member in config order.
  const inCycle = new Set<string>();
  for (const copy of copies) {
    const name = copy.check.name;
    if (inCycle.has(name) || !resolved.has(name)) continue;
    const chain = [name];
    let next = resolved.get(name);
    while (next !== undefined && !chain.includes(next)) {
      chain.push(next);
      next = resolved.get(next);
    }
    if (next !== name) continue;
    for (const member of chain) inCycle.add(member);
    report(`${copy.where}.mirror_of: "${copy.target}" makes a cycle (${[...chain, name].join(' → ')}): a primary cannot be a copy of its own copy`);
  }
  return resolved;
}

function didYouMean(target: string, names: readonly string[]): string {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const name of names) {
    const distance = editDistance(target.toLowerCase(), name.toLowerCase());
    if (distance < bestDistance) [best, bestDistance] = [name, distance];
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(target.length / 3)) ? ` (did you mean "${best}"?)` : '';
}
