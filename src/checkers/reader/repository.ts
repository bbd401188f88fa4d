import { createHash } from 'node:crypto';
import { mapLimit } from '../../pool.js';
import type { Backend, FileType } from './backend.js';
import { ReaderError, WRONG_PASSWORD } from './errors.js';
import { deriveUserKey, openMasterKey, parseKeyFile, type KeyFile } from './key-file.js';
import { toResticLock, type ResticLock } from './lock.js';
import { MacMismatch, openSealed, type SealKey } from './seal.js';
import { byTime, toResticSnapshot, type ResticSnapshot } from './snapshot.js';
import { parseRepositoryConfig, unpackJson } from './unpacked.js';

/** A file failed its MAC: damaged, or written under another master key (a re-initialised repository). */
export class MacError extends ReaderError {
  constructor(name: string) {
    super('damaged', `${name} is damaged: MAC verification failed`);
  }
}

/** restic tries at most this many key files before it gives up (repository.go, maxKeys). */
const MAX_KEYS = 20;
/** Files fetched at once: enough to hide a remote round trip, few enough to be polite. */
const FETCH_CONCURRENCY = 8;

/** The config file, which restic looks for first: without it there is no repository. */
export async function readConfig(backend: Backend, signal: AbortSignal): Promise<Buffer> {
  try {
    return await backend.read('config', signal);
  } catch (error) {
    if (error instanceof ReaderError && error.kind === 'not-found') {
      throw new ReaderError('not-found', `repository not found (no config file in ${backend.location})`);
    }
    throw error;
  }
}

export type DeriveUserKey = (key: KeyFile, password: string) => Promise<SealKey>;

/**
 * One repository opened with one password: its master key and format version, and every
 * snapshot file already decoded. Snapshot files never change (their name is the hash of
 * their content), so a later listing only fetches names not seen before. Lives in memory.
 */
export class OpenRepository {
  private readonly snapshotCache = new Map<string, ResticSnapshot>();

  private constructor(
    private readonly master: SealKey,
    readonly version: 1 | 2,
  ) {}

  /**
   * restic's order (repository.go, SearchKey; global.go, OpenRepository): no config file is
   * "no repository"; then each key file until one opens with the password; then the config,
   * decrypted with the master key, must name a version this reader knows.
   */
  static async open(backend: Backend, password: string, signal: AbortSignal, derive: DeriveUserKey = deriveUserKey): Promise<OpenRepository> {
    const config = await readConfig(backend, signal);
    const names = (await backend.list('keys', signal)).sort();
    let master: SealKey | undefined;
    // A damaged key file matters only when no other key opens: it may have been the right one.
    let damaged: ReaderError | undefined;
    for (const id of names.slice(0, MAX_KEYS)) {
      let key: KeyFile;
      try {
        key = parseKeyFile(`keys/${id}`, await backend.read(`keys/${id}`, signal));
      } catch (error) {
        if (error instanceof ReaderError && error.kind === 'not-found') continue; // removed meanwhile
        if (error instanceof ReaderError && (error.kind === 'damaged' || error.kind === 'unsupported')) {
          damaged ??= error;
          continue;
        }
        throw error;
      }
      if (signal.aborted) throw new ReaderError('backend', 'aborted');
      master = openMasterKey(key, await derive(key, password));
      if (master) break;
    }
    if (!master) throw damaged ?? new ReaderError('wrong-password', WRONG_PASSWORD);
    let plain: Buffer;
    try {
      plain = openSealed(master, config);
    } catch (error) {
      if (error instanceof MacMismatch) throw new MacError('config');
      throw error;
    }
    return new OpenRepository(master, parseRepositoryConfig(plain).version);
  }

  /** Every snapshot, oldest first, as `restic snapshots --json` prints them. */
  async snapshots(backend: Backend, signal: AbortSignal): Promise<ResticSnapshot[]> {
    const ids = await backend.list('snapshots', signal);
    const listed = new Set(ids);
    // Pruned snapshots leave the cache with their files.
    for (const id of this.snapshotCache.keys()) if (!listed.has(id)) this.snapshotCache.delete(id);
    const fresh = ids.filter((id) => !this.snapshotCache.has(id));
    await mapLimit(fresh, FETCH_CONCURRENCY, async (id) => {
      const json = await this.load(backend, 'snapshots', id, signal);
      // A file a running prune removed after the listing is gone, not damaged.
      if (json !== undefined) this.snapshotCache.set(id, toResticSnapshot(id, json));
    });
    return ids.flatMap((id) => this.snapshotCache.get(id) ?? []).sort(byTime);
  }

  /** Every lock file now in `locks/` (they come and go every few minutes: never cached). */
  async locks(backend: Backend, signal: AbortSignal): Promise<ResticLock[]> {
    const ids = await backend.list('locks', signal);
    const locks = await mapLimit(ids, FETCH_CONCURRENCY, async (id) => {
      const json = await this.load(backend, 'locks', id, signal);
      return json === undefined ? [] : [toResticLock(id, json)];
    });
    return locks.flat();
  }

  /** How many snapshot files are held decoded (for tests and metrics). */
  get cachedSnapshots(): number {
    return this.snapshotCache.size;
  }

  /**
   * One file's JSON, authenticated before anything is decrypted; then its name must be the
   * hash of its content, as restic checks. Undefined when the file vanished since listing.
   */
  private async load(backend: Backend, type: FileType, id: string, signal: AbortSignal): Promise<unknown> {
    const name = `${type}/${id}`;
    let sealed: Buffer;
    try {
      sealed = await backend.read(name, signal);
    } catch (error) {
      if (error instanceof ReaderError && error.kind === 'not-found') return undefined;
      throw error;
    }
    let plain: Buffer;
    try {
      plain = openSealed(this.master, sealed);
    } catch (error) {
      if (error instanceof MacMismatch) throw new MacError(name);
      throw error;
    }
    if (createHash('sha256').update(sealed).digest('hex') !== id) throw new ReaderError('damaged', `${name} is damaged: its content does not match its name`);
    return unpackJson(name, plain, this.version);
  }
}
