import type { Check } from '../../config/types.js';
import type { CheckContext, Checker, Observation } from '../checker.js';
import { listOptionsFor, type ListOptions } from '../list-options.js';
import type { SnapshotSummary } from './restic-output.js';
import { observeListing } from '../snapshot-facts.js';
import { withDeadline } from '../deadline.js';
import { shareKey, type Plan } from '../plan.js';
import { matches } from '../snapshot-filter.js';
import { needsOf } from '../../health/registry.js';

/** A restic checker that can hand back the snapshot list itself (ResticChecker does). */
export interface SnapshotLister extends Checker {
  list(check: Check, context: CheckContext, options?: ListOptions): Promise<SnapshotSummary[]>;
  /** The same, and which reader answered (the built-in reader's checker has it). */
  answer?(check: Check, context: CheckContext, options?: ListOptions): Promise<{ snapshots: SnapshotSummary[]; reader?: Observation['reader']; oldestLock?: Observation['oldestLock'] }>;
}

function isLister(checker: Checker): checker is SnapshotLister {
  return checker.mode === 'restic' && typeof (checker as Partial<SnapshotLister>).list === 'function';
}

export interface ShareOptions {
  /**
   * How long a finished listing may serve the group's later checks. A run (one cycle) shares
   * one listing throughout (the default); the daemon, whose group members start a moment
   * apart, bounds it so that each interval gets a listing of its own.
   */
  reuseMs?: (check: Check) => number;
  now?: () => number;
}

/**
 * Wraps the restic checker so that every group of two or more checks on the same repository
 * (the plan's groups, plan.ts) runs restic once (scrypt is paid once per repository, not once per host) and each check
 * takes its own newest snapshot from that one listing. Checks alone on their repository,
 * and fast-mode checks, are left as they were.
 */
export function shareResticRuns(checkers: readonly Checker[], plan: Pick<Plan, 'groups'>, options: ShareOptions = {}): readonly Checker[] {
  const restic = checkers.find(isLister);
  const { groups } = plan;
  if (!restic || groups.size === 0) return checkers;
  const shared = new SharedResticChecker(restic, groups, options.reuseMs ?? (() => Infinity), options.now ?? Date.now);
  return checkers.map((checker) => (checker === restic ? shared : checker));
}

interface Listing {
  snapshots: Promise<{ snapshots: SnapshotSummary[]; reader?: Observation['reader']; oldestLock?: Observation['oldestLock'] }>;
  startedAt: number;
  options: ListOptions;
  /** When it settled; undefined while restic still runs. */
  settledAt?: number;
}

class SharedResticChecker implements Checker {
  readonly mode = 'restic' as const;
  readonly kind = 'restic' as const;
  // One entry per group, replaced when it is too old: bounded by the number of groups.
  private readonly listings = new Map<string, Listing>();

  constructor(
    private readonly inner: SnapshotLister,
    private readonly groups: ReadonlyMap<string, readonly Check[]>,
    private readonly reuseMs: (check: Check) => number,
    private readonly now: () => number,
  ) {}

  supports(check: Check): boolean {
    return this.inner.supports(check);
  }

  async check(check: Check, context: CheckContext): Promise<Observation> {
    const key = shareKey(check);
    const group = this.groups.get(key);
    if (!group) return this.inner.check(check, context);
    let listing = this.listings.get(key);
    if (!listing || (listing.settledAt !== undefined && this.now() - listing.settledAt > this.reuseMs(check))) {
      // --latest 1 keeps each (host, paths) group's newest, which serves host and path
      // filters; the newest of a group may lack a tag, so tags need every snapshot (as does
      // a count), and the previous snapshot the two newest of each group.
      const options = listOptionsFor(group, true);
      const fresh: Listing = {
        startedAt: this.now(),
        options,
        snapshots: this.inner.answer
          ? this.inner.answer(unfiltered(group), context, options)
          : this.inner.list(unfiltered(group), context, options).then((snapshots) => ({ snapshots })),
      };
      const settle = () => {
        fresh.settledAt = this.now();
      };
      // Every member awaits it; this only keeps a failure from counting as unhandled early.
      fresh.snapshots.then(settle, settle);
      this.listings.set(key, fresh);
      listing = fresh;
    }
    // The run serves the whole group with the longest timeout; each check still keeps its own.
    const { snapshots, reader, oldestLock } = await withDeadline(listing.snapshots, check.timeoutMs, context.signal);
    const mine = snapshots.filter((snapshot) => matches(snapshot, check));
    const sharedRunMs = (listing.settledAt ?? this.now()) - listing.startedAt;
    // Locks are the repository's, not a host's: every member that asked sees the same oldest.
    const locks = oldestLock !== undefined && needsOf(check).locks ? { oldestLock } : {};
    return { ...observeListing(mine, check, listing.options), sharedRunMs, ...(reader && { reader }), ...locks };
  }
}

/** The one listing the group shares: no filter, and the longest timeout any member allows. */
function unfiltered(group: readonly Check[]): Check {
  const { host: _host, ...first } = group[0]!;
  return { ...first, tags: [], paths: [], timeoutMs: Math.max(...group.map((member) => member.timeoutMs)) };
}
