import { createHmac, randomBytes } from 'node:crypto';
import type { Backend } from './backend.js';
import { KeyDerivation, type KeyDerivationOptions } from './derivation.js';
import { userKeyDeriver, type DeriveUserKey } from './key-file.js';
import type { ResticLock } from './lock.js';
import { MacError, OpenRepository, readConfig } from './repository.js';
import type { ResticSnapshot } from './snapshot.js';

export interface ReaderOptions {
  /** scrypt, injectable so that a test can count derivations. */
  derive?: DeriveUserKey;
  /** How scrypt runs (its processes, how many at once). */
  derivation?: KeyDerivationOptions;
}

/** How a repository is opened: its password, and RESTIC_KEY_HINT when it is set. */
export interface Access {
  password: string;
  keyHint?: string;
}

/**
 * restic's read side for many repositories, kept open between checks: each repository's
 * master key is derived once (scrypt costs ~0.3 CPU-s, the bulk of a `restic snapshots`
 * run) and its decoded snapshot files are kept, so a later check costs one listing plus
 * the files that are new. Everything stays in this object's memory; nothing derived from
 * a password is written anywhere. Repositories are told apart by an HMAC of URL and
 * password under a per-process random key: the map holds no password, and a changed
 * password is a different entry.
 */
export class ResticReader {
  private readonly secret = randomBytes(32);
  private readonly open = new Map<string, Promise<OpenRepository>>();
  /** Each open entry's URL, so that a reload can drop the repositories no longer configured. */
  private readonly urls = new Map<string, string>();
  private readonly derivation: KeyDerivation;
  private readonly derive: DeriveUserKey;

  constructor(options: ReaderOptions = {}) {
    this.derivation = new KeyDerivation(options.derivation);
    this.derive = options.derive ?? userKeyDeriver(this.derivation);
  }

  /** `restic snapshots --json --no-lock`, entry for entry. */
  snapshots(url: string, access: Access | string, backend: Backend, signal: AbortSignal): Promise<ResticSnapshot[]> {
    return this.use(url, access, backend, signal, async (repository, openedNow) => {
      // A repository kept open since an earlier check may be gone (a lost mount, a moved
      // directory), and a missing snapshots/ lists as empty: "no snapshots" instead of the
      // "repository not found" a first check says. Its config file must still be there.
      if (!openedNow) await readConfig(backend, signal);
      return repository.snapshots(backend, signal);
    });
  }

  /** The lock files now in the repository, decrypted. */
  locks(url: string, access: Access | string, backend: Backend, signal: AbortSignal): Promise<ResticLock[]> {
    return this.use(url, access, backend, signal, (repository) => repository.locks(backend, signal));
  }

  /** Drops every key and cached snapshot (a daemon reloading its config, tests). */
  forget(): void {
    this.open.clear();
    this.urls.clear();
  }

  /** Forgets everything and ends the idle key derivation processes (a daemon stopping). */
  close(): void {
    this.forget();
    this.derivation.close();
  }

  /**
   * Keeps only the repositories at these URLs: a daemon whose reloaded config dropped a
   * repository drops its key and snapshots too. (A password changed at one URL leaves the
   * old entry until the URL goes or the process restarts: entries are not told apart by
   * anything but an HMAC of URL and password.)
   */
  retain(urls: ReadonlySet<string>): void {
    for (const [id, url] of this.urls) {
      if (urls.has(url)) continue;
      this.open.delete(id);
      this.urls.delete(id);
    }
  }

  /** How many repositories are held open. */
  get size(): number {
    return this.open.size;
  }

  /** `work` learns whether this call opened the repository (`openedNow`) or found it open. */
  private async use<T>(url: string, access: Access | string, backend: Backend, signal: AbortSignal, work: (repository: OpenRepository, openedNow: boolean) => Promise<T>): Promise<T> {
    const { password, keyHint } = typeof access === 'string' ? { password: access, keyHint: undefined } : access;
    const id = createHmac('sha256', this.secret).update(url).update('\0').update(password).digest('hex');
    for (let attempt = 0; ; attempt++) {
      let opening = this.open.get(id);
      const shared = opening !== undefined;
      if (!opening) {
        opening = OpenRepository.open(backend, password, signal, this.derive, keyHint);
        this.open.set(id, opening);
        this.urls.set(id, url);
        const entry = opening;
        // A failed opening is not kept: the next check tries again.
        entry.catch(() => this.open.get(id) === entry && this.drop(id));
      }
      let repository: OpenRepository;
      try {
        repository = await opening;
      } catch (error) {
        // An opening another check started runs under that check's signal, which its own
        // timeout or stop may end: while this check may go on, it opens once under its own.
        if (shared && attempt === 0 && !signal.aborted) continue;
        throw error;
      }
      try {
        return await work(repository, !shared);
      } catch (error) {
        // A MAC failure under a key that opened this repository before: it may have been
        // re-initialised at the same place (a new master key). Open it afresh, once.
        if (!(shared && attempt === 0 && error instanceof MacError)) throw error;
        if (this.open.get(id) === opening) this.drop(id);
      }
    }
  }

  private drop(id: string): void {
    this.open.delete(id);
    this.urls.delete(id);
  }
}
