// The daemon's drills (the `drill` capability) between runs: a drill that read a time stands
// for its `interval`, so that a check every hour does not restore the canary every hour. One
// entry per check with a drill, dropped when the check goes (retain), replaced when its
// drill changes.
import type { Check } from '../config/types.js';
import { needsOf } from '../health/registry.js';
import type { DrillRun } from '../health/signal.js';

interface Kept {
  /** What the drill read and how: another path, host or repository is another drill. */
  key: string;
  run: DrillRun;
}

export class DrillKeeper {
  private readonly kept = new Map<string, Kept>();

  /**
   * The check's last drill while it stands (it passed less than `interval` before `now`);
   * undefined: drill now. A failed drill never stands: the next check drills again, so that
   * a repaired backup turns the check up at once, not an interval later.
   */
  current(check: Check, now: Date): DrillRun | undefined {
    const drill = needsOf(check).drill;
    const kept = this.kept.get(check.name);
    if (drill === undefined || kept === undefined || kept.key !== keyOf(check) || 'failure' in kept.run) return undefined;
    return now.getTime() - kept.run.at.getTime() < drill.intervalMs ? kept.run : undefined;
  }

  keep(check: Check, run: DrillRun): void {
    this.kept.set(check.name, { key: keyOf(check), run });
  }

  /** Forgets the drills of checks no longer configured (a reload). */
  retain(checks: readonly Check[]): void {
    const names = new Set(checks.map((check) => check.name));
    for (const name of [...this.kept.keys()]) if (!names.has(name)) this.kept.delete(name);
  }
}

function keyOf(check: Check): string {
  return JSON.stringify([check.url, check.host ?? null, check.tags, check.paths, needsOf(check).drill ?? null, check.extraEnv, check.caCert ?? null]);
}
