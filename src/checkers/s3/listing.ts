import type { Observation } from '../checker.js';
import { isSnapshotKey } from '../file-names.js';
import { Newest } from '../newest.js';
import type { SeenLock } from '../lock-facts.js';

export interface ListedObject {
  key?: string;
  lastModified?: Date;
}

export interface Page {
  objects: readonly ListedObject[];
  /** ListObjectsV2's IsTruncated: more objects follow. */
  truncated: boolean;
  /** Where they follow from (NextContinuationToken). */
  nextToken?: string;
}

export type FetchPage = (continuationToken: string | undefined) => Promise<Page>;

export class ListingError extends Error {}

/**
 * Follows the listing of `prefix` (`<repo>/snapshots/`) to its end, page by page, keeping
 * only the newest LastModified and a count: memory stays flat however many snapshots there
 * are. An empty listing is an answer (no snapshots), not a failure; a listing that cannot be
 * followed to its end is a failure, never a partial answer.
 */
export async function newestSnapshot(prefix: string, fetchPage: FetchPage): Promise<Observation> {
  const newest = new Newest((time: Date) => time.getTime());
  await followListing(prefix, fetchPage, (time) => newest.offer(time));
  return { latest: newest.item ?? null, snapshots: newest.count };
}

/**
 * The locks: the oldest LastModified under `prefix` (`<repo>/locks/`), null when empty.
 * restic rewrites a live lock every 5 minutes, so an old object is a stale lock.
 */
export async function oldestLockObject(prefix: string, fetchPage: FetchPage): Promise<SeenLock | null> {
  let oldest: Date | undefined;
  await followListing(prefix, fetchPage, (time) => {
    if (oldest === undefined || time.getTime() < oldest.getTime()) oldest = time;
  });
  return oldest === undefined ? null : { time: oldest };
}

/** Every restic file directly under `prefix`, page by page to the end, as its LastModified. */
async function followListing(prefix: string, fetchPage: FetchPage, offer: (time: Date) => void): Promise<void> {
  let token: string | undefined;
  const seen = new Set<string>();
  do {
    const page = await fetchPage(token);
    for (const object of page.objects) {
      if (!object.key || !isSnapshotKey(object.key, prefix) || !object.lastModified) continue;
      offer(object.lastModified);
    }
    if (!page.truncated) break;
    // More follows, but from where? Stopping here would report the newest of a part as the newest.
    if (page.nextToken === undefined || page.nextToken === '') {
      throw new ListingError('incomplete listing: the S3 server said more objects follow but gave no continuation token');
    }
    token = page.nextToken;
    // A server that hands out the same token twice would keep us listing forever.
    if (seen.has(token)) throw new ListingError('incomplete listing: the S3 server repeated a continuation token');
    seen.add(token);
  } while (token !== undefined);
}
