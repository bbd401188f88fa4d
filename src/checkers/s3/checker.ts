import { readFile } from 'node:fs/promises';
import type { Check } from '../../config/types.js';
import { withDeadline } from '../deadline.js';
import { CheckError, type CheckContext, type Checker, type Observation } from '../checker.js';
import { S3ClientPool, type ClientSettings } from './client-pool.js';
import { credentialSource, regionFromEnv } from './credentials.js';
import { describeS3Error } from './errors.js';
import { ListingError, newestSnapshot, oldestLockObject } from './listing.js';
import { isS3Url, locksPrefix, parseS3Url, snapshotsPrefix, type S3Location } from '../../urls/s3.js';
import { describeFsError } from '../../fs-errors.js';
import { isFiltered } from '../snapshot-filter.js';
import { needsOf } from '../../health/registry.js';

export interface S3CheckerOptions {
  pool?: S3ClientPool;
  readCa?: (path: string) => Promise<string>;
}

/**
 * Fast mode for s3: repositories: lists `<prefix>/snapshots/` with ListObjectsV2 and takes
 * the newest LastModified. Needs only s3:ListBucket and no repository password. Sends
 * nothing but ListObjectsV2 (and the HeadBucket the SDK may use to learn an Amazon
 * bucket's region after a redirect).
 */
export class S3Checker implements Checker {
  readonly mode = 'fast' as const;
  readonly kind = 's3' as const;
  private readonly pool: S3ClientPool;
  private readonly readCa: (path: string) => Promise<string>;
  private readonly caFiles = new Map<string, { readAt: number; pem: Promise<string> }>();

  constructor(options: S3CheckerOptions = {}) {
    this.pool = options.pool ?? new S3ClientPool();
    this.readCa = options.readCa ?? ((path) => readFile(path, 'utf8'));
  }

  supports(check: Check): boolean {
    // host/tag/path filters need the decrypted snapshot list: only restic can honour them.
    return !isFiltered(check) && isS3Url(check.url) && !('error' in parseS3Url(check.url));
  }

  async check(check: Check, context: CheckContext): Promise<Observation> {
    const location = parseS3Url(check.url);
    if ('error' in location) throw new CheckError(`repository URL ${location.error}`);
    try {
      // One signal for the timeout and the caller's abort, handed to every request.
      return await withDeadline((signal) => this.list(check, location, context, signal), check.timeoutMs, context.signal);
    } catch (error) {
      if (error instanceof CheckError) throw error;
      if (error instanceof ListingError) throw new CheckError(error.message);
      throw new CheckError(describeS3Error(error, location));
    }
  }

  /** Closes pooled connections; a daemon calls it on shutdown. */
  close(): Promise<void> {
    return this.pool.destroy();
  }

  private async list(check: Check, location: S3Location, context: CheckContext, signal: AbortSignal): Promise<Observation> {
    const settings = await this.settings(check, location, context);
    const [sdk, client] = await Promise.all([this.pool.sdk(), this.pool.get(settings)]);
    const fetchPageOf = (prefix: string) => async (token: string | undefined) => {
      // Delimiter: only the direct children of snapshots/ (locks/), as restic reads them; anything
      // deeper comes back folded into CommonPrefixes, which are not counted.
      const page = await client.send(
        new sdk.ListObjectsV2Command({ Bucket: location.bucket, Prefix: prefix, Delimiter: '/', ...(token !== undefined && { ContinuationToken: token }) }),
        { abortSignal: signal },
      );
      // Every real ListObjectsV2 answer names its bucket and counts its keys. A 200 without
      // them (a proxy's login page, a web server at the wrong port) is not an empty repository.
      if (page.Name === undefined && page.KeyCount === undefined) {
        throw new ListingError(`${location.endpoint} did not answer with an S3 listing (is it an S3 endpoint?)`);
      }
      const objects = (page.Contents ?? []).map((object) => ({
        ...(object.Key !== undefined && { key: object.Key }),
        ...(object.LastModified !== undefined && { lastModified: object.LastModified }),
      }));
      return { objects, truncated: page.IsTruncated === true, ...(page.NextContinuationToken !== undefined && { nextToken: page.NextContinuationToken }) };
    };
    const observation = await newestSnapshot(snapshotsPrefix(location), fetchPageOf(snapshotsPrefix(location)));
    if (!needsOf(check).locks) return observation;
    // The locks: one more listing, of locks/, on the same client.
    const locks = locksPrefix(location);
    return { ...observation, oldestLock: await oldestLockObject(locks, fetchPageOf(locks)) };
  }

  /**
   * discover: the folder and file names directly under `prefix` (`a/b/`, or '' for the bucket
   * root), page by page with Delimiter '/' (what lies deeper comes back folded into one
   * CommonPrefix), on the client `settingsOf`'s credentials and endpoint select. At most
   * `maxPages` requests; `requests` says how many were made.
   */
  async listFolder(settingsOf: Check, prefix: string, maxPages: number, context: CheckContext, signal: AbortSignal): Promise<{ dirs: string[]; files: string[]; requests: number }> {
    const location = parseS3Url(settingsOf.url);
    if ('error' in location) throw new CheckError(`repository URL ${location.error}`);
    const settings = await this.settings(settingsOf, location, context);
    const [sdk, client] = await Promise.all([this.pool.sdk(), this.pool.get(settings)]);
    const dirs: string[] = [];
    const files: string[] = [];
    let token: string | undefined;
    let requests = 0;
    do {
      if (requests === maxPages) throw new ListingError(`more than ${maxPages} pages in ${prefix || 'the bucket root'}`);
      requests++;
      const page = await client.send(
        new sdk.ListObjectsV2Command({ Bucket: location.bucket, Prefix: prefix, Delimiter: '/', ...(token !== undefined && { ContinuationToken: token }) }),
        { abortSignal: signal },
      );
      if (page.Name === undefined && page.KeyCount === undefined) throw new ListingError(`${location.endpoint} did not answer with an S3 listing (is it an S3 endpoint?)`);
      for (const common of page.CommonPrefixes ?? []) if (common.Prefix?.startsWith(prefix)) dirs.push(common.Prefix.slice(prefix.length).replace(/\/$/, ''));
      for (const object of page.Contents ?? []) if (object.Key?.startsWith(prefix)) files.push(object.Key.slice(prefix.length));
      token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
      if (page.IsTruncated === true && !token) throw new ListingError('incomplete listing: the S3 server said more objects follow but gave no continuation token');
    } while (token !== undefined);
    return { dirs, files, requests };
  }

  /** Read afresh after CA_REREAD_MS, so a long-running process sees a renewed certificate. */
  private caFile(path: string): Promise<string> {
    const now = performance.now();
    const cached = this.caFiles.get(path);
    if (cached && now - cached.readAt < CA_REREAD_MS) return cached.pem;
    const pem = this.readCa(path);
    const entry = { readAt: now, pem };
    this.caFiles.set(path, entry);
    // A failed read is not kept: the next check tries again.
    pem.catch(() => this.caFiles.get(path) === entry && this.caFiles.delete(path));
    return pem;
  }

  private async settings(check: Check, location: S3Location, context: CheckContext): Promise<ClientSettings> {
    let caPem: string | undefined;
    if (check.caCert) {
      try {
        caPem = await this.caFile(check.caCert);
      } catch (error) {
        throw new CheckError(`cannot read ca_cert ${check.caCert}: ${describeFsError(error as NodeJS.ErrnoException)}`);
      }
    }
    const lookup = check.bucketLookup;
    return {
      endpoint: `${location.useTls ? 'https' : 'http'}://${location.endpoint}`,
      region: check.region ?? regionFromEnv(check.extraEnv, context.env) ?? location.region ?? 'us-east-1',
      pathStyle: lookup === 'auto' ? location.pathStyle : lookup === 'path',
      credentials: credentialSource(check.extraEnv, context.env),
      ...(caPem !== undefined && { caPem }),
    };
  }
}

/** A CA file shared by many repositories is read once per few seconds, not once per check. */
const CA_REREAD_MS = 10_000;
