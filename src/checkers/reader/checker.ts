import { readFile } from 'node:fs/promises';
import { describeFsError } from '../../fs-errors.js';
import type { ReaderChoice, Check } from '../../config/types.js';
import { formatDuration } from '../../duration.js';
import { childEnv } from '../child-env.js';
import { CheckError, type CheckContext, type Checker, type Observation } from '../checker.js';
import type { ListOptions } from '../restic/restic.js';
import { newest, toSnapshotSummary, type SnapshotSummary } from '../restic/restic-output.js';
import { S3ClientPool } from '../s3/client-pool.js';
import { describeFilter, matches } from '../snapshot-filter.js';
import { backendKind, openBackend, RestAgents } from './backends/open.js';
import { fallsBackToBinary, ReaderError } from './errors.js';
import { resolvePassword } from './password.js';
import { ResticReader } from './reader.js';
import type { ResticSnapshot } from './snapshot.js';

/** Which reader answered a check: reported beside `mode` in status output and metrics. */
export type ReaderName = Exclude<ReaderChoice, 'auto'>;

export interface BuiltinCheckerOptions {
  reader?: ResticReader;
  pool?: S3ClientPool;
  /**
   * The restic binary's checker. With it, `reader: auto` (and no `reader` at all) hands it
   * every repository the built-in reader cannot read (a URL kind it lacks, an unknown format
   * version, RESTIC_PASSWORD_COMMAND), and `reader: restic` every repository. Without it,
   * only the built-in reader answers.
   */
  binary?: Checker & { list(repository: Check, context: CheckContext, options?: ListOptions): Promise<SnapshotSummary[]> };
  readCa?: (path: string) => Promise<string>;
}

/**
 * Restic mode without the restic binary: the same answer (snapshot times, hosts, tags,
 * paths, the same host/tag/path filters and `--latest 1` grouping) read directly from the
 * repository by ResticReader, whose keys and decoded snapshots stay in memory between
 * checks. Serves local, s3: and rest: URLs; any other URL belongs to the binary.
 */
export class BuiltinResticChecker implements Checker {
  readonly kind = 'restic' as const;
  readonly mode = 'restic' as const;
  private readonly reader: ResticReader;
  private readonly pool: S3ClientPool;
  private readonly agents = new RestAgents();
  private readonly binary: BuiltinCheckerOptions['binary'];
  private readonly readCa: (path: string) => Promise<string>;

  constructor(options: BuiltinCheckerOptions = {}) {
    this.reader = options.reader ?? new ResticReader();
    this.pool = options.pool ?? new S3ClientPool();
    this.binary = options.binary;
    this.readCa = options.readCa ?? ((path) => readFile(path, 'utf8'));
  }

  supports(repository: Check): boolean {
    return backendKind(repository.url) !== undefined || (this.binary?.supports(repository) ?? false);
  }

  async check(repository: Check, context: CheckContext): Promise<Observation & { reader: ReaderName }> {
    const { snapshots, reader } = await this.answer(repository, context);
    const scope = describeFilter(repository);
    return { ...newest(snapshots), snapshots: snapshots.length, ...(scope && { scope }), reader };
  }

  /** What ResticChecker.list gives: the snapshots passing the repository's filters. */
  async list(repository: Check, context: CheckContext, options: ListOptions = {}): Promise<SnapshotSummary[]> {
    return (await this.answer(repository, context, options)).snapshots;
  }

  /** A reloaded config: keys and snapshots of repositories no check reads any more go. */
  retain(checks: readonly Check[]): void {
    this.reader.retain(new Set(checks.map((check) => check.url)));
  }

  async close(): Promise<void> {
    this.reader.forget();
    await Promise.all([this.pool.destroy(), this.agents.close()]);
  }

  /** The filtered snapshots and which reader gave them (shared runs pass it on). */
  async answer(repository: Check, context: CheckContext, options: ListOptions = {}): Promise<{ snapshots: SnapshotSummary[]; reader: ReaderName }> {
    const choice = repository.reader ?? 'auto';
    const binary = this.binary;
    if (binary && (choice === 'restic' || (choice === 'auto' && backendKind(repository.url) === undefined))) {
      return { snapshots: await withReader(binary.list(repository, context, options), 'restic'), reader: 'restic' };
    }
    try {
      const all = await this.read(repository, context);
      const mine = all.map(summary).filter((snapshot) => matches(snapshot, repository));
      return { snapshots: options.everySnapshot ? mine : latestPerGroup(mine), reader: 'builtin' };
    } catch (error) {
      if (binary && choice === 'auto' && fallsBackToBinary(error)) return { snapshots: await withReader(binary.list(repository, context, options), 'restic'), reader: 'restic' };
      throw readerFailure(error instanceof ReaderError ? new CheckError(error.message) : error, 'builtin');
    }
  }

  /** Every snapshot, within the repository's timeout; the caller's abort stops it too. */
  private async read(repository: Check, context: CheckContext): Promise<ResticSnapshot[]> {
    if (context.signal.aborted) throw new CheckError('aborted');
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, repository.timeoutMs);
    const onAbort = () => controller.abort();
    context.signal.addEventListener('abort', onAbort, { once: true });
    const stopped = new Promise<never>((_resolve, reject) => {
      controller.signal.addEventListener('abort', () => reject(new CheckError(timedOut ? `timed out after ${formatDuration(repository.timeoutMs, true)}` : 'aborted')), { once: true });
    });
    stopped.catch(() => undefined);
    try {
      // The password the binary would get: the same child environment rules (a repository's
      // own password source beats an inherited one).
      const env = childEnv(context.env, repository.extraEnv);
      const work = (async () => {
        const password = await resolvePassword(env);
        const caPem = await this.ca(repository);
        const backend = openBackend(
          { url: repository.url, extraEnv: repository.extraEnv, env: context.env, ...(repository.region && { region: repository.region }), bucketLookup: repository.bucketLookup, ...(caPem !== undefined && { caPem }) },
          { s3Pool: this.pool, restAgent: this.agents.get },
        );
        return this.reader.snapshots(repository.url, password, backend, controller.signal);
      })();
      work.catch(() => undefined);
      // A file system call cannot be cancelled: stop waiting for it instead of hanging.
      return await Promise.race([work, stopped]);
    } finally {
      clearTimeout(timer);
      context.signal.removeEventListener('abort', onAbort);
      controller.abort();
    }
  }

  private async ca(repository: Check): Promise<string | undefined> {
    if (!repository.caCert || backendKind(repository.url) === 'local') return undefined;
    try {
      return await this.readCa(repository.caCert);
    } catch (error) {
      throw new CheckError(`cannot read ca_cert ${repository.caCert}: ${describeFsError(error as NodeJS.ErrnoException)}`);
    }
  }
}

/** A failed check still says which reader failed: status output shows it beside the error. */
function readerFailure(error: unknown, reader: ReaderName): unknown {
  if (error instanceof CheckError) return Object.assign(error, { reader });
  return error;
}

async function withReader<T>(work: Promise<T>, reader: ReaderName): Promise<T> {
  try {
    return await work;
  } catch (error) {
    throw readerFailure(error, reader);
  }
}

/** The same reduction restic's own output gets: a snapshot file always carries its time. */
function summary(snapshot: ResticSnapshot): SnapshotSummary {
  const reduced = toSnapshotSummary(snapshot);
  if (!reduced) throw new CheckError(`snapshot ${snapshot.short_id} has no readable time`);
  return reduced;
}

/**
 * `restic snapshots --latest 1`: the newest snapshot of each (host, paths) group, paths
 * sorted and joined as restic keys them (cmd_snapshots.go, newFilterLastSnapshotsKey).
 */
export function latestPerGroup(snapshots: readonly SnapshotSummary[]): SnapshotSummary[] {
  const newestOf = new Map<string, SnapshotSummary>();
  for (const snapshot of snapshots) {
    const key = JSON.stringify([snapshot.hostname, [...snapshot.paths].sort().join('|')]);
    const best = newestOf.get(key);
    if (!best || snapshot.time.getTime() > best.time.getTime()) newestOf.set(key, snapshot);
  }
  return [...newestOf.values()];
}
