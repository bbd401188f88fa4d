import type { Check } from '../config/types.js';
import { localRepositoryPath } from '../urls/local.js';
import { rcloneRemote } from '../urls/rclone.js';
import { isS3Url, parseS3Url } from '../urls/s3.js';
import { isFiltered } from './snapshot-filter.js';
import { signalNames } from '../health/registry.js';
import { shareKey } from './share-key.js';

export { shareKey };

/** The checkers a repository can be served by; each Checker names its kind. */
export type CheckerKind = 'restic' | 's3' | 'local' | 'rclone';

export interface CheckPlan {
  kind: CheckerKind;
  /** Why restic serves a repository that asked for fast mode (`fast` or `auto`). */
  fallback?: string;
}

/**
 * Pure: which checker serves a repository, from its config alone. The run picks its checker
 * by this plan (select.ts) and `validate` prints it, so that what validate says is what the
 * run does. `restic` mode is always restic; `fast` and `auto` take the fast checker for the
 * URL, and fall back to restic where none can serve it, or where host/tag/path filters need
 * the decrypted snapshot list.
 */
export function planCheck(check: Pick<Check, 'url' | 'mode' | 'host' | 'tags' | 'paths' | 'signals'>): CheckPlan {
  if (check.mode === 'restic') return { kind: 'restic' };
  // Fast mode sees only encrypted snapshot files: it cannot tell hosts, tags or paths apart.
  if (isFiltered(check)) return { kind: 'restic', fallback: 'host/tags/paths filters need restic mode' };
  // ... nor count files, bytes or snapshots per host.
  const signals = signalNames(check.signals, true);
  if (signals.length > 0) return { kind: 'restic', fallback: `${signals.join(', ')} need${signals.length === 1 ? 's' : ''} restic mode` };
  const { url } = check;
  if (isS3Url(url)) return 'error' in parseS3Url(url) ? { kind: 'restic', fallback: 'fast mode cannot read this s3 URL' } : { kind: 's3' };
  if (url.startsWith('rclone:')) {
    return rcloneRemote(url) !== undefined ? { kind: 'rclone' } : { kind: 'restic', fallback: 'fast mode needs rclone:REMOTE:PATH' };
  }
  if (localRepositoryPath(url) !== undefined) return { kind: 'local' };
  // Written without "scheme:", so that validate's YAML needs no quotes around it.
  const scheme = /^([a-z0-9]+):/.exec(url)?.[1];
  return { kind: 'restic', fallback: scheme === undefined ? 'no fast mode for this URL' : `no fast mode for ${scheme} repositories` };
}

const FAST_KINDS: Readonly<Record<Exclude<CheckerKind, 'restic'>, string>> = {
  s3: 'S3 listing',
  local: 'local directory',
  rclone: 'rclone listing',
};

/** The plan as `validate` shows it: "restic", "fast (S3 listing)", "restic (no fast mode for rest repositories)". */
export function describePlan(plan: CheckPlan): string {
  if (plan.kind !== 'restic') return `fast (${FAST_KINDS[plan.kind]})`;
  return plan.fallback === undefined ? 'restic' : `restic (${plan.fallback})`;
}

/** One check as the run, the daemon and `validate` carry it out. */
export interface PlannedCheck extends CheckPlan {
  check: Check;
  /** The shareKey of the restic run it shares with other checks; undefined when it runs alone. */
  group?: string;
}

/** What the plan needs to know of the checkers at hand (a test may offer restic alone). */
export interface Available {
  kinds: ReadonlySet<CheckerKind>;
  /** Whether the restic checker can hand back a listing that several checks share. */
  shareRestic: boolean;
}

const EVERY_KIND: Available = { kinds: new Set<CheckerKind>(['restic', 's3', 'local', 'rclone']), shareRestic: true };

export interface Plan {
  checks: readonly PlannedCheck[];
  /** Groups of two or more restic checks sharing one run, by shareKey. */
  groups: ReadonlyMap<string, readonly Check[]>;
  /** The planned entry of one check of this config (by name). */
  of(check: Check): PlannedCheck;
}

/**
 * Pure: the one plan of a config. Which checker kind serves each check (planCheck; restic
 * where the planned kind is not at hand), and which restic checks share one run (same
 * shareKey, two or more of them). The run, the daemon, its scheduler and `validate` read
 * this plan and decide none of it themselves.
 */
export function planChecks(checks: readonly Check[], available: Available = EVERY_KIND): Plan {
  const planned = checks.map((check): PlannedCheck => {
    const plan = planCheck(check);
    return available.kinds.has(plan.kind) ? { ...plan, check } : { kind: 'restic', check };
  });
  const groups = new Map<string, Check[]>();
  if (available.shareRestic) {
    for (const entry of planned) {
      if (entry.kind !== 'restic') continue;
      const key = shareKey(entry.check);
      groups.set(key, [...(groups.get(key) ?? []), entry.check]);
    }
    for (const [key, group] of groups) if (group.length < 2) groups.delete(key);
  }
  const grouped = planned.map((entry) => {
    const key = entry.kind === 'restic' ? shareKey(entry.check) : undefined;
    return key !== undefined && groups.has(key) ? { ...entry, group: key } : entry;
  });
  const byName = new Map(grouped.map((entry) => [entry.check.name, entry]));
  return {
    checks: grouped,
    groups,
    of: (check) => byName.get(check.name) ?? planChecks([check], available).checks[0]!,
  };
}
