import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Check } from '../../config/types.js';
import { mapLimit } from '../../pool.js';
import { CheckError, type CheckContext, type Checker, type Observation } from '../checker.js';
import { withDeadline } from '../deadline.js';
import { isResticFileName } from '../file-names.js';
import { localRepositoryPath } from '../../urls/local.js';
import { Newest } from '../newest.js';
import { oldestLock, type SeenLock } from '../lock-facts.js';
import { needsOf } from '../../health/registry.js';

/** stat calls in flight at once: enough to hide NFS latency, few enough to be polite. */
const STAT_CONCURRENCY = 16;

/**
 * Fast mode for a repository on a local or mounted file system: the newest modification
 * time among the files in `<repo>/snapshots/`. restic writes a snapshot file once, when a
 * backup ends, so its mtime is when that backup finished. Needs read access to that one
 * directory, no password; opens nothing for writing.
 */
export class LocalChecker implements Checker {
  readonly mode = 'fast' as const;
  readonly kind = 'local' as const;

  supports(check: Check): boolean {
    return localRepositoryPath(check.url) !== undefined;
  }

  check(check: Check, context: CheckContext): Promise<Observation> {
    const path = localRepositoryPath(check.url);
    if (path === undefined) return Promise.reject(new CheckError('not a local repository'));
    const locks = needsOf(check).locks === true;
    return withDeadline(locks ? withOldestLock(path) : newestSnapshotFile(path), check.timeoutMs, context.signal);
  }
}

/** The snapshots, then the lock files' times (one more listing). */
async function withOldestLock(path: string): Promise<Observation> {
  const observation = await newestSnapshotFile(path);
  return { ...observation, oldestLock: await oldestLockFile(path) };
}

/**
 * The oldest file in `<repo>/locks/`, by modification time. restic rewrites a live lock's
 * file every 5 minutes, so an old file is a lock whose process is gone. A repository
 * without a locks/ directory (restic creates it lazily on some backends) holds no lock.
 */
async function oldestLockFile(path: string): Promise<SeenLock | null> {
  const dir = join(path, 'locks');
  let names: string[];
  try {
    names = (await readdir(dir, { withFileTypes: true })).filter((entry) => !entry.isDirectory() && isResticFileName(entry.name)).map((entry) => entry.name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new CheckError(await describeFailure(error as NodeJS.ErrnoException, path, dir));
  }
  const times = await mapLimit(names, STAT_CONCURRENCY, async (name) => {
    try {
      return (await stat(join(dir, name))).mtimeMs;
    } catch (error) {
      // A lock removed between the listing and the stat was released: not stale.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new CheckError(await describeFailure(error as NodeJS.ErrnoException, path, dir));
    }
  });
  return oldestLock(times.flatMap((time) => (time === undefined ? [] : [{ time: new Date(time) }])));
}

async function newestSnapshotFile(path: string): Promise<Observation> {
  const dir = join(path, 'snapshots');
  let names: string[];
  try {
    names = (await readdir(dir, { withFileTypes: true })).filter((entry) => !entry.isDirectory() && isResticFileName(entry.name)).map((entry) => entry.name);
  } catch (error) {
    throw new CheckError(await describeFailure(error as NodeJS.ErrnoException, path, dir));
  }
  const times = await mapLimit(names, STAT_CONCURRENCY, async (name) => {
    try {
      return (await stat(join(dir, name))).mtimeMs;
    } catch (error) {
      // A prune running right now may remove a file between the listing and the stat.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new CheckError(await describeFailure(error as NodeJS.ErrnoException, path, dir));
    }
  });
  const newest = new Newest((time: number) => time);
  for (const time of times) if (time !== undefined) newest.offer(time);
  return { latest: newest.item === undefined ? null : new Date(newest.item), snapshots: newest.count };
}

async function describeFailure(error: NodeJS.ErrnoException, path: string, dir: string): Promise<string> {
  if (error.code === 'ENOENT' || error.code === 'ENOTDIR') {
    // Tell "the whole repository is missing" (an unmounted share) from "not a repository".
    const repository = await stat(path).catch(() => undefined);
    if (!repository) return `repository not found (no directory ${path})`;
    if (!repository.isDirectory()) return `repository not found (${path} is not a directory)`;
    return `not a restic repository (no snapshots/ directory in ${path})`;
  }
  if (error.code === 'EACCES' || error.code === 'EPERM') return `permission denied reading ${dir}`;
  return `cannot read ${dir} (${error.code ?? error.message})`;
}
