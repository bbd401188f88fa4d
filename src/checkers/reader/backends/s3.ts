import { posix } from 'node:path';
import type { S3ClientPool, ClientSettings } from '../../s3/client-pool.js';
import { describeS3Error } from '../../s3/errors.js';
import type { S3Location } from '../../../urls/s3.js';
import { ReaderError } from '../errors.js';
import type { LargeReads } from '../large-reads.js';
import { isResticFileName } from '../../file-names.js';
import { readCapped, tooLarge, type Backend, type FileType } from '../backend.js';

/**
 * An s3: repository through the same client pool, URL rules and credentials as fast mode.
 * Sends only ListObjectsV2 and GetObject.
 */
export class S3Backend implements Backend {
  readonly location: string;

  constructor(
    private readonly pool: S3ClientPool,
    private readonly largeReads: LargeReads,
    private readonly settings: ClientSettings,
    private readonly where: S3Location,
  ) {
    this.location = `s3:${settings.endpoint}/${where.bucket}${where.prefix ? `/${where.prefix}` : ''}`;
  }

  async list(type: FileType, signal: AbortSignal): Promise<string[]> {
    const [sdk, client] = await this.client();
    const prefix = `${this.key(type)}/`;
    const names: string[] = [];
    const seen = new Set<string>();
    let token: string | undefined;
    do {
      const page = await this.send(() =>
        client.send(new sdk.ListObjectsV2Command({ Bucket: this.where.bucket, Prefix: prefix, ...(token !== undefined && { ContinuationToken: token }) }), {
          abortSignal: signal,
        }),
      );
      if (page.Name === undefined && page.KeyCount === undefined) {
        throw new ReaderError('backend', `${this.where.endpoint} did not answer with an S3 listing (is it an S3 endpoint?)`);
      }
      for (const object of page.Contents ?? []) {
        const name = object.Key?.slice(prefix.length);
        if (name !== undefined && isResticFileName(name)) names.push(name);
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
      // A partial listing would hide the newest snapshots: say so rather than answer from it.
      if (page.IsTruncated && token === undefined) {
        throw new ReaderError('backend', 'incomplete listing: the S3 server said more objects follow but gave no continuation token');
      }
      if (token !== undefined) {
        if (seen.has(token)) throw new ReaderError('backend', 'the S3 server repeated a continuation token');
        seen.add(token);
      }
    } while (token !== undefined);
    return names;
  }

  async read(path: string, signal: AbortSignal, maxBytes: number): Promise<Buffer> {
    const [sdk, client] = await this.client();
    const object = await this.send(() => client.send(new sdk.GetObjectCommand({ Bucket: this.where.bucket, Key: this.key(path) }), { abortSignal: signal }), path);
    if (!object.Body) throw new ReaderError('backend', `${path}: the S3 server sent no content`);
    const body = object.Body as unknown as AsyncIterable<Uint8Array> & { destroy?: () => void };
    // The length is known before the body is read: a stray large object never reaches memory.
    if (object.ContentLength !== undefined && object.ContentLength > maxBytes) {
      body.destroy?.();
      throw tooLarge(path, this.location, maxBytes, object.ContentLength);
    }
    // Without a length (chunked), or one that lied: counted as it arrives. A large body waits
    // for its turn (LargeReads), unread meanwhile.
    return this.largeReads.run(object.ContentLength, signal, () => this.send(() => readCapped(body, maxBytes, () => tooLarge(path, this.location, maxBytes))));
  }

  private client() {
    return Promise.all([this.pool.sdk(), this.pool.get(this.settings)]);
  }

  /** restic's object key: path.Join(prefix, path). */
  private key(path: string): string {
    return posix.join(this.where.prefix || '.', path);
  }

  private async send<T>(request: () => Promise<T>, path?: string): Promise<T> {
    try {
      return await request();
    } catch (error) {
      if (error instanceof ReaderError) throw error;
      const failure = error as { name?: string; $metadata?: { httpStatusCode?: number } };
      if (path !== undefined && (failure.name === 'NoSuchKey' || failure.$metadata?.httpStatusCode === 404) && failure.name !== 'NoSuchBucket') {
        throw new ReaderError('not-found', `${path} not found in ${this.location}`);
      }
      if (failure.name === 'AbortError') throw new ReaderError('backend', 'aborted');
      throw new ReaderError('backend', describeS3Error(error, this.where));
    }
  }
}
