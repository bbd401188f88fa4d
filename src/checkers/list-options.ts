import type { Check } from '../config/types.js';
import { needsOf } from '../health/registry.js';

export interface ListOptions {
  /** Every snapshot, not only the newest per (host, paths) group: a tag filter needs them all. */
  everySnapshot?: boolean;
  /** How many of the newest per (host, paths) group (default 1); 2 for the `previous` capability. */
  latest?: number;
  /** The `locks` capability: the locks too (the built-in reader decrypts them; see BuiltinResticChecker). */
  locks?: boolean;
}

/**
 * What one listing must hold for these checks (what their signals need, needsOf): every
 * snapshot to count them and, for a listing several checks share, for a tag filter (a
 * group's newest may lack the tag); the two newest per group for the previous snapshot;
 * else the newest per group, as always.
 */
export function listOptionsFor(checks: readonly Check[], shared = false): ListOptions {
  const needs = checks.map(needsOf);
  const locks = needs.some((need) => need.locks) ? { locks: true } : {};
  if (needs.some((need) => need.everySnapshot) || (shared && checks.some((check) => check.tags.length > 0))) return { everySnapshot: true, ...locks };
  return needs.some((need) => need.previous) ? { latest: 2, ...locks } : locks;
}
