import type { Observation } from '../checker.js';

export interface ListedObject {
  key?: string;
  lastModified?: Date;
}

export interface Page {
  objects: readonly ListedObject[];
  /** Set when more objects follow (ListObjectsV2's NextContinuationToken). */
  nextToken?: string;
}

export type FetchPage = (continuationToken: string | undefined) => Promise<Page>;

// restic names every snapshot object by its 64-hex id and ignores anything else there
// (a "folder" marker an S3 console made, say): so does this.
const SNAPSHOT_NAME = /(^|\/)[0-9a-f]{64}$/;

export class ListingError extends Error {}

/**
 * Follows the listing to its end, page by page, keeping only the newest LastModified and a
 * count: memory stays flat however many snapshots there are. An empty listing is an
 * answer (no snapshots), not a failure.
 */
export async function newestSnapshot(fetchPage: FetchPage): Promise<Observation> {
  let latest: Date | null = null;
  let snapshots = 0;
  let token: string | undefined;
  const seen = new Set<string>();
  do {
    const page = await fetchPage(token);
    for (const object of page.objects) {
      if (!object.key || !SNAPSHOT_NAME.test(object.key) || !object.lastModified) continue;
      snapshots++;
      if (latest === null || object.lastModified.getTime() > latest.getTime()) latest = object.lastModified;
    }
    token = page.nextToken;
    if (token !== undefined) {
      // A server that hands out the same token twice would keep us listing forever.
      if (seen.has(token)) throw new ListingError('the S3 server repeated a continuation token');
      seen.add(token);
    }
  } while (token !== undefined);
  return { latest, snapshots };
}
