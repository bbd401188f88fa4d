// Finding restic repositories below a location, one directory level at a time, with any
// lister (S3, local, rclone). Pure but for the lister it is given.
import { mapLimit } from '../pool.js';

/** The direct children of one directory: folder names and file names. */
export interface DirListing {
  dirs: readonly string[];
  files: readonly string[];
}

/** Lists the directory at `path` (segments below the location; [] is the location itself). */
export type ListDir = (path: readonly string[]) => Promise<DirListing>;

/**
 * How deep below the location a repository may sit: `backups/host/app/repo` is 3 levels
 * deep. A bucket's layout rarely goes deeper, and each level costs a listing per folder.
 */
export const MAX_DEPTH = 4;
/** Directories listed per location at most: a location holding more is too broad to walk. */
export const MAX_LISTINGS = 1000;
/** Directories listed at once within a location. */
const LISTING_CONCURRENCY = 4;

export class WalkError extends Error {}

/**
 * A restic repository: a folder with a `config` file beside `keys/` or `snapshots/` (an S3
 * bucket has no empty folders, so a repository with no snapshot yet shows only `keys/`).
 */
export function isRepository(listing: DirListing): boolean {
  return listing.files.includes('config') && (listing.dirs.includes('keys') || listing.dirs.includes('snapshots'));
}

/**
 * Every repository at most MAX_DEPTH levels below the location, as path segments, sorted.
 * A repository is never descended into: its data/ packs are never listed.
 */
export async function findRepositories(list: ListDir, options: { maxDepth?: number; maxListings?: number } = {}): Promise<string[][]> {
  const maxDepth = options.maxDepth ?? MAX_DEPTH;
  const maxListings = options.maxListings ?? MAX_LISTINGS;
  const found: string[][] = [];
  let level: string[][] = [[]];
  let listed = 0;
  for (let depth = 0; depth <= maxDepth && level.length > 0; depth++) {
    if (listed + level.length > maxListings) {
      throw new WalkError(`more than ${maxListings} folders to list (${depth} levels deep): point discover at a narrower prefix`);
    }
    listed += level.length;
    const listings = await mapLimit(level, LISTING_CONCURRENCY, (path) => list(path));
    const next: string[][] = [];
    level.forEach((path, index) => {
      const listing = listings[index]!;
      if (isRepository(listing)) found.push(path);
      else if (depth < maxDepth) for (const dir of listing.dirs) next.push([...path, dir]);
    });
    level = next;
  }
  return found.sort((a, b) => (a.join('/') < b.join('/') ? -1 : a.join('/') > b.join('/') ? 1 : 0));
}
