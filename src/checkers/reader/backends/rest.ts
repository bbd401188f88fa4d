import type { Dispatcher } from '../../../undici.js';
import { ReaderError } from '../errors.js';
import type { LargeReads } from '../large-reads.js';
import { isResticFileName } from '../../file-names.js';
import { readCapped, tooLarge, type Backend, type FileType } from '../backend.js';
import { MAX_FILE_BYTES } from '../limits.js';
import { describeNetworkError } from '../../network-errors.js';

const V2 = 'application/vnd.x.restic.rest.v2';

export interface RestTarget {
  /** Base URL with a trailing slash and no credentials. */
  base: URL;
  /** The Authorization header, when the URL or RESTIC_REST_USERNAME/_PASSWORD give credentials. */
  authorization?: string;
}

/**
 * Pure: a `rest:` URL as restic reads it (rest/config.go): everything after `rest:` is an
 * http(s) URL, a slash is appended; user:password in it, else RESTIC_REST_USERNAME and
 * RESTIC_REST_PASSWORD (restic 0.17+), become basic authentication.
 */
export function parseRestUrl(url: string, env: Readonly<Record<string, string | undefined>>): RestTarget | { error: string } {
  let base: URL;
  try {
    base = new URL(url.slice('rest:'.length).replace(/\/?$/, '/'));
  } catch {
    return { error: 'is not a valid rest: URL (expected rest:http(s)://HOST[:PORT]/PATH)' };
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') return { error: 'is not a valid rest: URL (expected rest:http(s)://HOST[:PORT]/PATH)' };
  let username = percentDecoded(base.username);
  let password = percentDecoded(base.password);
  base.username = '';
  base.password = '';
  if (username === '' && password === '') {
    username = env.RESTIC_REST_USERNAME ?? '';
    password = env.RESTIC_REST_PASSWORD ?? '';
  }
  const credentials = username !== '' || password !== '';
  return { base, ...(credentials && { authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` }) };
}

function percentDecoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** A repository behind restic's REST protocol (rest-server, `rclone serve restic`), v2 listings. */
export class RestBackend implements Backend {
  readonly location: string;

  constructor(
    private readonly target: RestTarget,
    private readonly largeReads: LargeReads,
    /** The connection pool for a server with its own CA (RestAgents); undici's global one otherwise. */
    private readonly dispatcher?: () => Promise<Dispatcher>,
  ) {
    this.location = `rest:${target.base.href}`;
  }

  async list(type: FileType, signal: AbortSignal): Promise<string[]> {
    const response = await this.get(`${type}/`, signal);
    if (response.statusCode === 404 && !String(response.headers.server ?? '').startsWith('rclone/')) {
      // restic's rule: a missing directory is empty, except that rclone misuses 404 for errors.
      await response.body.dump();
      return [];
    }
    // A listing names a file in about 80 bytes: the snapshot bound holds 800,000 of them.
    const body = await this.body(response, `${type}/`, MAX_FILE_BYTES.snapshots);
    let list: unknown;
    try {
      list = JSON.parse(body.toString('utf8'));
    } catch {
      throw new ReaderError('backend', `${this.location} answered ${type}/ with something that is not a JSON listing`);
    }
    if (!Array.isArray(list)) throw new ReaderError('backend', `${this.location} answered ${type}/ with something that is not a JSON listing`);
    // v2 lists {name, size}; a v1 server lists bare names.
    const names = list.map((item: unknown) => (typeof item === 'string' ? item : (item as { name?: unknown } | null)?.name));
    return names.filter((name): name is string => typeof name === 'string' && isResticFileName(name));
  }

  async read(path: string, signal: AbortSignal, maxBytes: number): Promise<Buffer> {
    const response = await this.get(path, signal);
    if (response.statusCode === 404) {
      await response.body.dump();
      throw new ReaderError('not-found', `${path} not found in ${this.location}`);
    }
    // A large file (or one of no stated length) waits for its turn, its body unread meanwhile.
    const length = Number(response.headers['content-length']);
    return this.largeReads.run(Number.isFinite(length) ? length : undefined, signal, () => this.body(response, path, maxBytes));
  }

  private async get(path: string, signal: AbortSignal): Promise<Dispatcher.ResponseData> {
    const { request } = await import('../../../undici.js');
    const dispatcher = await this.dispatcher?.();
    try {
      return await request(new URL(path, this.target.base), {
        method: 'GET',
        headers: { accept: V2, ...(this.target.authorization && { authorization: this.target.authorization }) },
        signal,
        ...(dispatcher && { dispatcher }),
      });
    } catch (error) {
      throw new ReaderError('backend', describeNetworkError(error, this.target.base.host));
    }
  }

  private async body(response: Dispatcher.ResponseData, path: string, maxBytes: number): Promise<Buffer> {
    if (response.statusCode !== 200) {
      await response.body.dump();
      const why = response.statusCode === 401 || response.statusCode === 403 ? 'access denied' : 'an error';
      throw new ReaderError('backend', `${this.location} answered ${path} with ${why} (HTTP ${response.statusCode})`);
    }
    // A length announced beforehand refuses the file before any of it is read.
    const length = Number(response.headers['content-length']);
    if (Number.isFinite(length) && length > maxBytes) {
      response.body.destroy();
      throw tooLarge(path, this.location, maxBytes, length);
    }
    try {
      return await readCapped(response.body, maxBytes, () => tooLarge(path, this.location, maxBytes));
    } catch (error) {
      if (error instanceof ReaderError) throw error;
      throw new ReaderError('backend', describeNetworkError(error, this.target.base.host));
    }
  }
}
