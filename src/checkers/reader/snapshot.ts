import { goId, goInteger, goSortStrings, goString, goStrings, goTime, goUint32, GoJsonError, GoUnprintableTime } from './go-json.js';
import { ReaderError } from './errors.js';

/** restic's SnapshotSummary (0.17+), field order as restic prints it. */
export interface SnapshotSummaryJson {
  backup_start: string;
  backup_end: string;
  files_new: number;
  files_changed: number;
  files_unmodified: number;
  dirs_new: number;
  dirs_changed: number;
  dirs_unmodified: number;
  data_blobs: number;
  tree_blobs: number;
  data_added: number;
  data_added_packed: number;
  total_files_processed: number;
  total_bytes_processed: number;
}

/**
 * One entry of `restic snapshots --json`, keys in restic's order. Optional keys are the
 * ones Go's `omitempty` leaves out when empty; `tree` and `paths` are always written
 * (null when the file has none).
 */
export interface ResticSnapshot {
  time: string;
  parent?: string;
  tree: string | null;
  paths: string[] | null;
  hostname?: string;
  username?: string;
  uid?: number;
  gid?: number;
  excludes?: string[];
  tags?: string[];
  original?: string;
  program_version?: string;
  summary?: SnapshotSummaryJson;
  id: string;
  short_id: string;
}

const UNSIGNED_SUMMARY = ['files_new', 'files_changed', 'files_unmodified', 'dirs_new', 'dirs_changed', 'dirs_unmodified'] as const;
const SIGNED_SUMMARY = ['data_blobs', 'tree_blobs'] as const;
const BYTES_SUMMARY = ['data_added', 'data_added_packed', 'total_files_processed', 'total_bytes_processed'] as const;

/**
 * A snapshot file restic cannot decode (a value Go's encoding/json refuses: a time out of
 * range, a field of the wrong type). restic 0.14 to 0.19.1 leave such a file out of their
 * listing with a warning ("could not load snapshot", "Ignoring ..."), so the reader leaves it
 * out too: the repository's newest readable snapshot is what both answer.
 */
export class UndecodableSnapshot extends ReaderError {
  constructor(message: string) {
    super('damaged', message);
  }
}

/**
 * Pure: a decoded snapshot file as restic prints it. Fields restic's struct does not know
 * are dropped, as restic drops them; a value of the wrong type makes the file unreadable
 * (UndecodableSnapshot), as it does for restic. `id` is the file's name (the SHA-256 of its
 * content); `raw`, the file's JSON text, where Go reads a string without unescaping it.
 */
export function toResticSnapshot(id: string, json: unknown, raw?: string): ResticSnapshot {
  const name = `snapshots/${id}`;
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new ReaderError('damaged', `${name} is damaged: not a JSON object`);
  const file = json as Record<string, unknown>;
  try {
    const parent = goId(file.parent, 'parent');
    const hostname = goString(file.hostname, 'hostname');
    const username = goString(file.username, 'username');
    const uid = goUint32(file.uid, 'uid');
    const gid = goUint32(file.gid, 'gid');
    const excludes = goStrings(file.excludes, 'excludes');
    const tags = goStrings(file.tags, 'tags');
    const original = goId(file.original, 'original');
    const programVersion = goString(file.program_version, 'program_version');
    const summary = file.summary === undefined || file.summary === null ? undefined : toSummary(file.summary, raw);
    return {
      time: goTime(file.time, 'time', raw),
      ...(parent !== null && { parent }),
      tree: goId(file.tree, 'tree'),
      // restic sorts them in place while grouping (snapshot_group.go), even ungrouped.
      paths: goSortStrings(goStrings(file.paths, 'paths')),
      ...(hostname !== '' && { hostname }),
      ...(username !== '' && { username }),
      ...(uid !== 0 && { uid }),
      ...(gid !== 0 && { gid }),
      ...(excludes !== null && excludes.length > 0 && { excludes }),
      ...(tags !== null && tags.length > 0 && { tags }),
      ...(original !== null && { original }),
      ...(programVersion !== '' && { program_version: programVersion }),
      ...(summary && { summary }),
      id,
      short_id: id.slice(0, 8),
    };
  } catch (error) {
    if (error instanceof GoJsonError) throw new UndecodableSnapshot(`${name} is damaged: ${error.message}`);
    if (error instanceof GoUnprintableTime) throw new ReaderError('damaged', `${name} is damaged: ${error.message}`);
    throw error;
  }
}

function toSummary(value: unknown, raw: string | undefined): SnapshotSummaryJson {
  if (typeof value !== 'object' || Array.isArray(value)) throw new GoJsonError('"summary" is not an object');
  const summary = value as Record<string, unknown>;
  const out: Record<string, string | number> = {
    backup_start: goTime(summary.backup_start, 'summary.backup_start', raw),
    backup_end: goTime(summary.backup_end, 'summary.backup_end', raw),
  };
  for (const field of UNSIGNED_SUMMARY) out[field] = goInteger(summary[field], `summary.${field}`, true);
  for (const field of SIGNED_SUMMARY) out[field] = goInteger(summary[field], `summary.${field}`, false);
  for (const field of BYTES_SUMMARY) out[field] = goInteger(summary[field], `summary.${field}`, true);
  return out as unknown as SnapshotSummaryJson;
}

/**
 * restic prints snapshots oldest first (it sorts by time, unstably); equal times are put
 * in id order here, so the answer does not depend on listing order.
 */
export function byTime(a: ResticSnapshot, b: ResticSnapshot): number {
  const at = instantNanos(a.time);
  const bt = instantNanos(b.time);
  if (at !== bt) return at < bt ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** A normalised RFC 3339 time as nanoseconds since the epoch: Date keeps only milliseconds. */
export function instantNanos(time: string): bigint {
  const match = /^(.*T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(.*)$/.exec(time);
  const seconds = Date.parse(`${match?.[1] ?? time}${match?.[3] ?? ''}`);
  return BigInt(seconds) * 1_000_000n + BigInt((match?.[2] ?? '').padEnd(9, '0'));
}
