// mirror_of and max_lag: a repository that is a copy of another check's (restic copy, rclone
// sync). Read per check here; the names are resolved once every check is known (parse.ts).
import { readDuration } from '../duration.js';
import { editDistance } from './errors.js';

export interface MirrorKeys {
  /** mirror_of as written (templates expanded); undefined when unset. */
  mirrorOf: string | undefined;
  /** max_lag as written; undefined when unset. */
  maxLag: string | undefined;
  /** Whether max_lag is set in the check's own layers (not inherited from defaults). */
  ownMaxLag: boolean;
  /** The check's max_age: the lag allowed when max_lag is not set. */
  maxAgeMs: number | undefined;
}

/**
 * The copy's primary (as written) and its max_lag, or undefined when the check is no copy.
 * max_lag in `defaults` applies to the copies only; set on a check that is no copy it is an
 * error, since it would limit nothing.
 */
export function readMirror(keys: MirrorKeys, where: (key: string) => string, fail: (problem: string) => void): { mirrorOf: string; maxLagMs: number } | undefined {
  const { mirrorOf, maxLag } = keys;
  if (mirrorOf === undefined) {
    if (keys.ownMaxLag) fail(`${where('max_lag')}.max_lag: set, but mirror_of is not (max_lag limits how far a copy trails its primary)`);
    return undefined;
  }
  if (mirrorOf.trim() === '') {
    fail(`${where('mirror_of')}.mirror_of: is empty`);
    return undefined;
  }
  if (maxLag === undefined) return keys.maxAgeMs === undefined ? undefined : { mirrorOf, maxLagMs: keys.maxAgeMs };
  const parsed = readDuration(maxLag);
  if ('error' in parsed) {
    fail(`${where('max_lag')}.max_lag: ${parsed.error}`);
    return undefined;
  }
  return { mirrorOf, maxLagMs: parsed.ms };
}

/** A copy as parse.ts saw it: its check's name, host, and where mirror_of was written. */
export interface MirrorEntry {
  name: string;
  host?: string;
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
export function resolveMirrors(copies: readonly MirrorEntry[], names: readonly string[], report: (problem: string) => void): Map<string, string> {
  const known = new Set(names);
  const resolved = new Map<string, string>();
  for (const copy of copies) {
    const path = `${copy.where}.mirror_of`;
    const hostOf = copy.host === undefined ? undefined : `${copy.target}/${copy.host}`;
    const primary = known.has(copy.target) ? copy.target : hostOf !== undefined && known.has(hostOf) ? hostOf : undefined;
    if (primary === copy.name) {
      report(`${path}: "${copy.target}" is this check itself (a copy needs another repository as its primary)`);
    } else if (primary !== undefined) {
      resolved.set(copy.name, primary);
    } else {
      const hosts = names.filter((name) => name.startsWith(`${copy.target}/`));
      if (hosts.length > 0) report(`${path}: "${copy.target}" has hosts: name one of them (${hosts.join(', ')})`);
      else report(`${path}: "${copy.target}" is not a check of this config${didYouMean(copy.target, names)}`);
    }
  }
  // A cycle (a copy of b, b a copy of a) has no primary to start from: reported once, at its
  // first member in config order.
  const inCycle = new Set<string>();
  for (const copy of copies) {
    if (inCycle.has(copy.name) || !resolved.has(copy.name)) continue;
    const chain = [copy.name];
    let next = resolved.get(copy.name);
    while (next !== undefined && !chain.includes(next)) {
      chain.push(next);
      next = resolved.get(next);
    }
    if (next !== copy.name) continue;
    for (const name of chain) inCycle.add(name);
    report(`${copy.where}.mirror_of: "${copy.target}" makes a cycle (${[...chain, copy.name].join(' → ')}): a primary cannot be a copy of its own copy`);
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

/**
 * Every check in an order where each primary comes before its copies (config order
 * otherwise): a copy waits for its primary's look, and a primary started first never waits
 * behind its copies for a place (run-once.ts, daemon.ts).
 */
export function primariesFirst<T extends { name: string; mirrorOf?: string }>(checks: readonly T[]): T[] {
  const byName = new Map(checks.map((check) => [check.name, check]));
  const placed = new Set<string>();
  const ordered: T[] = [];
  const place = (check: T, seen: Set<string>) => {
    if (placed.has(check.name) || seen.has(check.name)) return;
    seen.add(check.name);
    const primary = check.mirrorOf === undefined ? undefined : byName.get(check.mirrorOf);
    if (primary) place(primary, seen);
    placed.add(check.name);
    ordered.push(check);
  };
  for (const check of checks) place(check, new Set());
  return ordered;
}
