import { createHash } from 'node:crypto';
import { mapLimit } from '../../pool.js';
import type { Backend, FileType } from './backend.js';
import { ReaderError, WRONG_PASSWORD } from './errors.js';
import { openMasterKey, parseKeyFile, type DeriveUserKey, type KeyFile } from './key-file.js';
import { MAX_FILE_BYTES, MAX_KEYS } from './limits.js';
import { toResticLock, type ResticLock } from './lock.js';
import { MacMismatch, openSealed, type SealKey } from './seal.js';
import { byTime, toResticSnapshot, UndecodableSnapshot, type ResticSnapshot } from './snapshot.js';
import { parseJson, parseRepositoryConfig, unpackText } from './unpacked.js';

/** A file failed its MAC: damaged, or written under another master key (a re-initialised repository). */
export class MacError extends ReaderError {
  constructor(name: string) {
    super('damaged', `${name} is damaged: MAC verification failed`);
  }
}

/** Files fetched at once: enough to hide a remote round trip, few enough to be polite. */
const FETCH_CONCURRENCY = 8;

/**
 * Pure: the key files to try, in order: the one RESTIC_KEY_HINT names (as restic finds it:
 * the only name starting with the hint; none or several and the hint is passed over), then
 * the others by name, MAX_KEYS in all.
 */
export function keyOrder(names: readonly string[], hint: string | undefined): string[] {
  const sorted = [...names].sort();
  const hinted = hint ? sorted.filter((name) => name.startsWith(hint)) : [];
  const first = hinted.length === 1 ? hinted[0]! : undefined;
  return (first === undefined ? sorted : [first, ...sorted.filter((name) => name !== first)]).slice(0, MAX_KEYS);
}

/** The config file, which restic looks for first: without it there is no repository. */
export async function readConfig(backend: Backend, signal: AbortSignal): Promise<Buffer> {
  try {
    return await backend.read('config', signal, MAX_FILE_BYTES.config);
  } catch (error) {
    if (error instanceof ReaderError && error.kind === 'not-found') {
      throw new ReaderError('not-found', `repository not found (no config file in ${backend.location})`);
    }
    throw error;
  }
}

/**
 * One repository opened with one password: its master key and format version, and every
 * snapshot file already decoded. Snapshot files never change (their name is the hash of
 * their content), so a later listing only fetches names not seen before. Lives in memory.
 */
export class OpenRepository {
  /** null: a file restic cannot decode, which it leaves out of its listing (UndecodableSnapshot). */
  private readonly snapshotCache = new Map<string, ResticSnapshot | null>();

  private constructor(
    private readonly master: SealKey,
    readonly version: 1 | 2,
  ) {}

  /**
   * restic's order (repository.go, SearchKey; global.go, OpenRepository): no config file is
   * "no repository"; then each key file (keyOrder) until one opens with the password; then
   * the config, decrypted with the master key, must name a version this reader knows.
   */
  static async open(backend: Backend, password: string, signal: AbortSignal, derive: DeriveUserKey, keyHint?: string): Promise<OpenRepository> {
    const config = await readConfig(backend, signal);
    const names = await backend.list('keys', signal);
    const tried = keyOrder(names, keyHint);
    let master: SealKey | undefined;
    // A damaged key file matters only when no other key opens: it may have been the right one.
    let damaged: ReaderError | undefined;
    for (const id of tried) {
      let key: KeyFile;
      try {
        key = parseKeyFile(`keys/${id}`, await backend.read(`keys/${id}`, signal, MAX_FILE_BYTES.keys));
      } catch (error) {
        if (error instanceof ReaderError && error.kind === 'not-found') continue; // removed meanwhile
        if (error instanceof ReaderError && (error.kind === 'damaged' || error.kind === 'unsupported' || error.kind === 'limit')) {
          damaged ??= error;
          continue;
        }
        throw error;
      }
      if (signal.aborted) throw new ReaderError('backend', 'aborted');
      master = openMasterKey(key, await derive(key, password, signal));
      if (master) break;
    }
    if (!master) {
      if (damaged) throw damaged;
      // restic's words first: they are what users search for and what its exit code 12 means.
      const untried = tried.length < names.length ? ` (tried ${tried.length} of ${names.length} key files; RESTIC_KEY_HINT names the one to try first)` : '';
      throw new ReaderError('wrong-password', `${WRONG_PASSWORD}${untried}`);
    }
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
      const file = await this.load(backend, 'snapshots', id, signal);
      // A file a running prune removed after the listing is gone, not damaged.
      if (file === undefined) return;
      try {
        this.snapshotCache.set(id, toResticSnapshot(id, file.json, file.text));
      } catch (error) {
        if (!(error instanceof UndecodableSnapshot)) throw error;
        this.snapshotCache.set(id, null);
      }
    });
    return ids.flatMap((id) => this.snapshotCache.get(id) ?? []).sort(byTime);
  }

  /** Every lock file now in `locks/` (they come and go every few minutes: never cached). */
  async locks(backend: Backend, signal: AbortSignal): Promise<ResticLock[]> {
    const ids = await backend.list('locks', signal);
    const locks = await mapLimit(ids, FETCH_CONCURRENCY, async (id) => {
      const file = await this.load(backend, 'locks', id, signal);
      return file === undefined ? [] : [toResticLock(id, file.json, file.text)];
    });
    return locks.flat();
  }

  /** How many snapshot files are held decoded (for tests and metrics). */
  get cachedSnapshots(): number {
    return this.snapshotCache.size;
  }

  /**
   * One file's JSON (and its text), authenticated before anything is decrypted; then its
   * name must be the hash of its content, as restic checks. Stored and decompressed, it may
   * hold at most its kind's MAX_FILE_BYTES. Undefined when the file vanished since listing.
   */
  private async load(backend: Backend, type: Exclude<FileType, 'keys'>, id: string, signal: AbortSignal): Promise<{ json: unknown; text: string } | undefined> {
    const name = `${type}/${id}`;
    let sealed: Buffer;
    try {
      sealed = await backend.read(name, signal, MAX_FILE_BYTES[type]);
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
    const text = unpackText(name, plain, this.version, MAX_FILE_BYTES[type]);
    return { json: parseJson(name, text), text };
  }
}
