import type { Check } from '../config/types.js';
import type { CheckContext, Checker, Mode, Observation } from './checker.js';
import type { CheckerKind } from './plan.js';
import type { ListOptions } from './list-options.js';
import type { SnapshotSummary } from './restic/restic-output.js';
import type { SeenLock } from './lock-facts.js';
import type { S3Checker } from './s3/checker.js';
import { localRepositoryPath } from '../urls/local.js';
import { rcloneRemote } from '../urls/rclone.js';
import { isS3Url, parseS3Url } from '../urls/s3.js';
import { isFiltered } from './snapshot-filter.js';

/**
 * A checker whose module is loaded by its first check: a command pays at start-up only for
 * the kinds its repositories use (the built-in reader and the restic binary's checker are
 * dozens of files; `status` of local repositories in fast mode needs neither). Until then
 * it answers `supports` from the URL alone, as the loaded checker would, and holds nothing
 * to retain or close.
 */
export class Deferred<T extends Checker> implements Checker {
  private loaded: T | undefined;
  private loading: Promise<T> | undefined;

  constructor(
    readonly kind: CheckerKind,
    readonly mode: Mode,
    private readonly make: () => Promise<T>,
    private readonly serves: (check: Check) => boolean,
  ) {}

  protected load(): Promise<T> {
    // A failed load (EMFILE, files replaced under a running daemon) is not kept: the next
    // check tries again rather than failing until a restart.
    this.loading ??= this.make().then(
      (made) => (this.loaded = made),
      (error: unknown) => {
        this.loading = undefined;
        throw error;
      },
    );
    return this.loading;
  }

  supports(check: Check): boolean {
    return this.loaded ? this.loaded.supports(check) : this.serves(check);
  }

  async check(check: Check, context: CheckContext): Promise<Observation> {
    return (await this.load()).check(check, context);
  }

  retain(checks: readonly Check[]): void {
    this.loaded?.retain?.(checks);
  }

  async close(): Promise<void> {
    const made = await this.loading?.catch(() => undefined);
    await made?.close?.();
  }
}

type Answer = { snapshots: SnapshotSummary[]; reader?: Observation['reader']; oldestLock?: SeenLock | null };
type ResticLike = Checker & {
  list(check: Check, context: CheckContext, options?: ListOptions): Promise<SnapshotSummary[]>;
  answer(check: Check, context: CheckContext, options?: ListOptions): Promise<Answer>;
};

/** Restic mode: the built-in reader, with the restic binary's checker behind it. */
class DeferredRestic extends Deferred<ResticLike> {
  async list(check: Check, context: CheckContext, options?: ListOptions): Promise<SnapshotSummary[]> {
    return (await this.load()).list(check, context, options);
  }

  async answer(check: Check, context: CheckContext, options?: ListOptions): Promise<Answer> {
    return (await this.load()).answer(check, context, options);
  }
}

/** Fast mode on S3; discovery lists folders through it too. */
class DeferredS3 extends Deferred<S3Checker> {
  async listFolder(...args: Parameters<S3Checker['listFolder']>): ReturnType<S3Checker['listFolder']> {
    return (await this.load()).listFolder(...args);
  }
}

/**
 * The checkers of a command run: one per kind, each loaded on its first check. A daemon
 * derives every key in the built-in reader's derivation process, killed at once by a stop:
 * it derives each key once and must answer SIGTERM at once. A one-shot command derives a key
 * of restic's default cost in its own process (scrypt-here.ts), sparing a second Node
 * process's 40 MiB, at the price of finishing that fraction of a second when stopped.
 */
export function defaultCheckers(options: { daemon?: boolean } = {}): Checker[] {
  return [
    new DeferredRestic(
      'restic',
      'restic',
      async () => {
        const [{ BuiltinResticChecker }, { ResticChecker }] = await Promise.all([import('./reader/checker.js'), import('./restic/restic.js')]);
        return new BuiltinResticChecker({ binary: new ResticChecker(), ...(options.daemon && { derivation: { maxWorkHere: 0 } }) });
      },
      // The binary reads whatever restic reads; what it cannot, it reports itself.
      () => true,
    ),
    new DeferredS3(
      's3',
      'fast',
      async () => new (await import('./s3/checker.js')).S3Checker(),
      (check) => !isFiltered(check) && isS3Url(check.url) && !('error' in parseS3Url(check.url)),
    ),
    new Deferred('local', 'fast', async () => new (await import('./local/local.js')).LocalChecker(), (check) => localRepositoryPath(check.url) !== undefined),
    new Deferred('rclone', 'fast', async () => new (await import('./rclone/rclone.js')).RcloneChecker(), (check) => rcloneRemote(check.url) !== undefined),
  ];
}
