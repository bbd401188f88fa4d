/** What the monitor needs from one entry of `restic snapshots --json`. */
export interface SnapshotSummary {
  time: Date;
  hostname: string;
  /** Empty when restic omitted the field (no tags). */
  tags: string[];
  paths: string[];
}

export class OutputError extends Error {}

/**
 * Reads `restic snapshots --json`: a flat array, oldest first, `[]` when empty. Fields vary
 * between restic versions, so only `time` (and `hostname`) are required. Times carry the
 * backup host's own zone and nanoseconds: they are compared as instants, never as strings.
 */
export function parseSnapshots(stdout: string): SnapshotSummary[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdout);
  } catch {
    const trimmed = stdout.trim();
    throw new OutputError(trimmed === '' ? 'restic printed nothing' : 'restic printed something that is not JSON');
  }
  if (!Array.isArray(parsed)) throw new OutputError('restic printed JSON that is not a list of snapshots');
  return parsed.map((entry: unknown, index) => {
    const item = (typeof entry === 'object' && entry !== null ? entry : {}) as { time?: unknown; hostname?: unknown; tags?: unknown; paths?: unknown };
    const time = typeof item.time === 'string' ? new Date(Date.parse(item.time)) : undefined;
    if (!time || Number.isNaN(time.getTime())) {
      throw new OutputError(`snapshot ${index + 1} has no readable time`);
    }
    return { time, hostname: typeof item.hostname === 'string' ? item.hostname : '', tags: strings(item.tags), paths: strings(item.paths) };
  });
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

export function newest(snapshots: readonly SnapshotSummary[]): Date | null {
  let best: Date | null = null;
  for (const { time } of snapshots) if (best === null || time.getTime() > best.getTime()) best = time;
  return best;
}
