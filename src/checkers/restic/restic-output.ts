import { JsonArrayStream, JsonStreamError } from './json-array-stream.js';
import { newestOf } from '../newest.js';

/** What the monitor needs from one entry of `restic snapshots --json`. */
export interface SnapshotSummary {
  /** When the backup started (restic's `time`). */
  time: Date;
  /**
   * When it ended, on the snapshot's own clock: `time` plus the backup's duration
   * (`summary.backup_end - backup_start`, written by restic 0.17+), which is `backup_end`
   * itself unless `backup --time` back-dated the snapshot. Absent in older snapshots.
   */
  end?: Date;
  /** `summary.total_files_processed` / `total_bytes_processed` (restic 0.17+); absent in older snapshots. */
  files?: number;
  bytes?: number;
  /** The rest of the summary: what the backup changed against its parent (restic 0.17+). */
  changes?: SnapshotChanges;
  hostname: string;
  /** Empty when restic omitted the field (no tags). */
  tags: string[];
  paths: string[];
}

/** restic's comparison of a backup with the snapshot it used as its parent (its `summary`). */
export interface SnapshotChanges {
  /** Whether restic compared with a parent at all: none for a first backup, `backup --force`, or new paths. */
  parent: boolean;
  filesNew: number;
  filesChanged: number;
  filesUnmodified: number;
  dirsNew: number;
  dirsChanged: number;
  dirsUnmodified: number;
  /** New data and tree blobs stored. */
  dataBlobs: number;
  treeBlobs: number;
  /** Bytes of the new blobs, and what they took in the repository (compressed, restic format 2). */
  dataAdded: number;
  dataAddedPacked: number;
}

export class OutputError extends Error {}

/**
 * Reads `restic snapshots --json` as it streams in: a flat array, oldest first, `[]` when
 * empty; or, under `--group-by`, an array of `{group_key, snapshots}` whose snapshots are
 * read the same way (with `--latest 1` each group holds one, so an element stays small).
 * Fields vary between restic versions, so only `time` is required. Times carry the backup
 * host's own zone and nanoseconds: they are compared as instants, never as strings. Only the
 * few fields the monitor needs are kept per snapshot.
 */
export class SnapshotReader {
  readonly snapshots: SnapshotSummary[] = [];
  private readonly stream = new JsonArrayStream((entry) => this.add(entry));
  private failure: OutputError | undefined;
  private groups = 0;

  push(chunk: Buffer | string): void {
    if (this.failure) return;
    try {
      this.stream.push(chunk);
    } catch (error) {
      this.failure = toOutputError(error);
    }
  }

  /** The snapshots read, or an OutputError saying what was wrong with the output. */
  end(): SnapshotSummary[] {
    if (!this.failure) {
      try {
        this.stream.end();
      } catch (error) {
        this.failure = toOutputError(error);
      }
    }
    if (this.failure) throw this.failure;
    return this.snapshots;
  }

  private add(entry: unknown): void {
    const group = entry as { group_key?: unknown; snapshots?: unknown };
    if (group.group_key !== undefined) {
      // Go prints an empty list as `null`: read it as no snapshots.
      if (group.snapshots !== null && !Array.isArray(group.snapshots)) throw new OutputError(`group ${this.groups + 1} has no snapshot list`);
      this.groups++;
      for (const snapshot of (group.snapshots ?? []) as unknown[]) this.addSnapshot(snapshot);
      return;
    }
    this.addSnapshot(entry);
  }

  private addSnapshot(entry: unknown): void {
    const snapshot = toSnapshotSummary(entry);
    if (!snapshot) throw new OutputError(`snapshot ${this.snapshots.length + 1} has no readable time`);
    this.snapshots.push(snapshot);
  }
}

/**
 * One snapshot as `restic snapshots --json` prints it (or the built-in reader decodes it),
 * reduced to what a check uses; undefined when its time cannot be read.
 */
export function toSnapshotSummary(entry: unknown): SnapshotSummary | undefined {
  const item = (entry ?? {}) as { time?: unknown; parent?: unknown; hostname?: unknown; tags?: unknown; paths?: unknown; summary?: Record<string, unknown> };
  const time = instant(item.time);
  if (!time) return undefined;
  const end = backupEnd(time, item.summary);
  const files = count(item.summary?.total_files_processed);
  const bytes = count(item.summary?.total_bytes_processed);
  const changes = changesOf(typeof item.parent === 'string' && item.parent !== '', item.summary);
  return {
    time,
    ...(end && { end }),
    ...(files !== undefined && bytes !== undefined && { files, bytes }),
    ...(changes && { changes }),
    hostname: typeof item.hostname === 'string' ? item.hostname : '',
    tags: strings(item.tags),
    paths: strings(item.paths),
  };
}

const STREAM_ERRORS: Record<string, string> = {
  'empty output': 'restic printed nothing',
  'not a JSON list': 'restic printed something that is not JSON',
  'the JSON list ends early': "restic's output was cut short",
};

function toOutputError(error: unknown): OutputError {
  if (error instanceof OutputError) return error;
  if (error instanceof JsonStreamError) return new OutputError(STREAM_ERRORS[error.message] ?? `restic printed malformed JSON (${error.message})`);
  // Anything else thrown while reading (a string too long for V8, say) must not escape the
  // stream's data handler, where it would end the process: it is a reading failure too.
  return new OutputError(`restic's output could not be read (${(error as Error)?.message ?? String(error)})`);
}

/**
 * `time` is `backup_start` unless `backup --time` set it: the declared time is kept (a
 * back-dated snapshot stays old, as in restic 0.14) and moved on by how long the backup took.
 */
function backupEnd(time: Date, summary: { backup_start?: unknown; backup_end?: unknown } | undefined): Date | undefined {
  const end = instant(summary?.backup_end);
  if (!end) return undefined;
  const start = instant(summary?.backup_start);
  if (!start) return end;
  return new Date(time.getTime() + Math.max(0, end.getTime() - start.getTime()));
}

const CHANGE_FIELDS = {
  filesNew: 'files_new',
  filesChanged: 'files_changed',
  filesUnmodified: 'files_unmodified',
  dirsNew: 'dirs_new',
  dirsChanged: 'dirs_changed',
  dirsUnmodified: 'dirs_unmodified',
  dataBlobs: 'data_blobs',
  treeBlobs: 'tree_blobs',
  dataAdded: 'data_added',
  dataAddedPacked: 'data_added_packed',
} as const satisfies Record<Exclude<keyof SnapshotChanges, 'parent'>, string>;

/** The summary's counts, when every one of them is there (restic 0.17+ writes them all). */
function changesOf(parent: boolean, summary: Record<string, unknown> | undefined): SnapshotChanges | undefined {
  if (typeof summary !== 'object' || summary === null) return undefined;
  const changes: Record<string, number | boolean> = { parent };
  for (const [field, key] of Object.entries(CHANGE_FIELDS)) {
    const value = count(summary[key]);
    if (value === undefined) return undefined;
    changes[field] = value;
  }
  return changes as unknown as SnapshotChanges;
}

function instant(value: unknown): Date | undefined {
  if (typeof value !== 'string') return undefined;
  const time = new Date(Date.parse(value));
  return Number.isNaN(time.getTime()) ? undefined : time;
}

function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

/** Which instant of a snapshot its age counts from. */
export type TimeBasis = 'backup_end' | 'time';

/**
 * Pure: the newest snapshot as an age counts it. A snapshot from restic 0.17+ counts from the
 * end of its backup (as fast mode's file time does, near enough), an older one from its start:
 * a three-hour backup is not three hours older in restic mode than in fast mode.
 */
export function newest(snapshots: readonly SnapshotSummary[]): { latest: Date | null; basis?: TimeBasis } {
  const best = newestOf(snapshots, (snapshot) => (snapshot.end ?? snapshot.time).getTime());
  if (!best) return { latest: null };
  return best.end ? { latest: best.end, basis: 'backup_end' } : { latest: best.time, basis: 'time' };
}
