import type { Check } from '../config/types.js';
import type { SnapshotSummary } from './restic/restic-output.js';

/** The restic-mode filters of one check; empty fields filter nothing. */
export type SnapshotFilter = Pick<Check, 'host' | 'tags' | 'paths'>;

export function isFiltered(filter: SnapshotFilter): boolean {
  return filter.host !== undefined || filter.tags.length > 0 || filter.paths.length > 0;
}

/**
 * Pure, and the same test restic 0.14 applies for `--host H --tag a,b --path P --path Q`:
 * the hostname equals H, the snapshot carries every listed tag, and every listed path is
 * one of the snapshot's paths (compared as written: restic does not normalise them).
 */
export function matches(snapshot: SnapshotSummary, filter: SnapshotFilter): boolean {
  if (filter.host !== undefined && snapshot.hostname !== filter.host) return false;
  if (!filter.tags.every((tag) => snapshot.tags.includes(tag))) return false;
  return filter.paths.every((path) => snapshot.paths.includes(path));
}

/** "host web1", "host web1, tags daily, db": completes "no snapshots for ...". */
export function describeFilter(filter: SnapshotFilter): string | undefined {
  const parts: string[] = [];
  if (filter.host !== undefined) parts.push(`host ${filter.host}`);
  if (filter.tags.length > 0) parts.push(`${filter.tags.length === 1 ? 'tag' : 'tags'} ${filter.tags.join(', ')}`);
  if (filter.paths.length > 0) parts.push(`${filter.paths.length === 1 ? 'path' : 'paths'} ${filter.paths.join(', ')}`);
  return parts.length === 0 ? undefined : parts.join('; ');
}
