// The `locks` capability: what a checker saw of a repository's locks/ directory.

/** One lock as a checker saw it. Fast mode knows only its file time; restic mode the rest. */
export interface SeenLock {
  /** When the lock was written or last refreshed: its file time, or its `time` field. */
  time: Date;
  hostname?: string;
  pid?: number;
  exclusive?: boolean;
}

/** Pure: the lock with the earliest time; null when there is none. */
export function oldestLock(locks: readonly SeenLock[]): SeenLock | null {
  let oldest: SeenLock | null = null;
  for (const lock of locks) if (oldest === null || lock.time.getTime() < oldest.time.getTime()) oldest = lock;
  return oldest;
}
