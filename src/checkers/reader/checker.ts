import { readFile } from 'node:fs/promises';
import { describeFsError } from '../../fs-errors.js';
import type { ReaderChoice, Check } from '../../config/types.js';
import { withDeadline } from '../deadline.js';
import { childEnv } from '../child-env.js';
import { CheckError, type CheckContext, type Checker, type Observation } from '../checker.js';
import { listOptionsFor, type ListOptions } from '../list-options.js';
import { toSnapshotSummary, type SnapshotSummary } from '../restic/restic-output.js';
import { observeListing } from '../snapshot-facts.js';
import { S3ClientPool } from '../s3/client-pool.js';
import { matches } from '../snapshot-filter.js';
import { backendKind, openBackend, RestAgents } from './backends/open.js';
import { LargeReads } from './large-reads.js';
import { fallsBackToBinary, ReaderError } from './errors.js';
import { resolvePassword } from './password.js';
import type { KeyDerivationOptions } from './derivation.js';
import { ResticReader } from './reader.js';
import type { ResticSnapshot } from './snapshot.js';
import type { ResticLock } from './lock.js';
import { oldestLock, type SeenLock } from '../lock-facts.js';

/** Which reader answered a check: reported beside `mode` in status output and metrics. */
export type ReaderName = Exclude<ReaderChoice, 'auto'>;

export interface BuiltinCheckerOptions {
  reader?: ResticReader;
  /** How the reader made here derives keys (ignored with `reader`). */
  derivation?: KeyDerivationOptions;
  /** Large files one at a time, across every repository this checker reads. */
  largeReads?: LargeReads;
  pool?: S3ClientPool;
  /**
   * The restic binary's checker. With it, `reader: auto` (and no `reader` at all) hands it
   * every repository the built-in reader cannot read (a URL kind it lacks, an unknown format
   * version, RESTIC_PASSWORD_COMMAND), and `reader: restic` every repository. Without it,
   * only the built-in reader answers.
   */
  binary?: Checker & {
    list(check: Check, context: CheckContext, options?: ListOptions): Promise<SnapshotSummary[]>;
    answer?(check: Check, context: CheckContext, options?: ListOptions): Promise<{ snapshots: SnapshotSummary[]; oldestLock?: SeenLock | null }>;
  };
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
  private readonly largeReads: LargeReads;
  private readonly binary: BuiltinCheckerOptions['binary'];
  private readonly readCa: (path: string) => Promise<string>;

  constructor(options: BuiltinCheckerOptions = {}) {
    this.reader = options.reader ?? new ResticReader({ ...(options.derivation && { derivation: options.derivation }) });
    this.pool = options.pool ?? new S3ClientPool();
    this.largeReads = options.largeReads ?? new LargeReads();
    this.binary = options.binary;
    this.readCa = options.readCa ?? ((path) => readFile(path, 'utf8'));
  }

  supports(check: Check): boolean {
    return backendKind(check.url) !== undefined || (this.binary?.supports(check) ?? false);
  }

  async check(check: Check, context: CheckContext): Promise<Observation & { reader: ReaderName }> {
    const options = listOptionsFor([check]);
    const { snapshots, reader, oldestLock } = await this.answer(check, context, options);
    return { ...observeListing(snapshots, check, options), reader, ...(oldestLock !== undefined && { oldestLock }) };
  }

  /** What ResticChecker.list gives: the snapshots passing the repository's filters. */
  async list(check: Check, context: CheckContext, options: ListOptions = {}): Promise<SnapshotSummary[]> {
    return (await this.answer(check, context, options)).snapshots;
  }

  /** A reloaded config: keys and snapshots of repositories no check reads any more go. */
  retain(checks: readonly Check[]): void {
    this.reader.retain(new Set(checks.map((check) => check.url)));
  }

  async close(): Promise<void> {
    this.reader.close();
    await Promise.all([this.pool.destroy(), this.agents.close()]);
  }

  /** The filtered snapshots and which reader gave them (shared runs pass it on). */
  async answer(check: Check, context: CheckContext, options: ListOptions = {}): Promise<{ snapshots: SnapshotSummary[]; reader: ReaderName; oldestLock?: SeenLock | null }> {
    const choice = check.reader ?? 'auto';
    const binary = this.binary;
    if (binary && (choice === 'restic' || (choice === 'auto' && backendKind(check.url) === undefined))) {
      return { ...(await withReader(binaryAnswer(binary, check, context, options), 'restic')), reader: 'restic' };
    }
    try {
      const { snapshots: all, locks } = await this.read(check, context, options.locks === true);
      const mine = all.map(summary).filter((snapshot) => matches(snapshot, check));
      const snapshots = options.everySnapshot ? mine : latestPerGroup(mine, options.latest);
      return { snapshots, reader: 'builtin', ...(locks && { oldestLock: oldestLock(locks.map(seenLock)) }) };
    } catch (error) {
      if (binary && choice === 'auto' && fallsBackToBinary(error)) return { ...(await withReader(binaryAnswer(binary, check, context, options), 'restic')), reader: 'restic' };
      throw readerFailure(error instanceof ReaderError ? new CheckError(error.message) : error, 'builtin');
    }
  }

  /**
   * Every snapshot, within the repository's timeout; the caller's abort stops it too. The
   * reader fetches files side by side: once the wait is over (answer, failure or deadline)
   * the requests still in flight are aborted rather than left to run (abortWhenSettled).
   */
  private read(check: Check, context: CheckContext, withLocks: boolean): Promise<{ snapshots: ResticSnapshot[]; locks?: ResticLock[] }> {
    return withDeadline(
      async (signal) => {
        // The password the binary would get: the same child environment rules (a repository's
        // own password source beats an inherited one).
        const env = childEnv(context.env, check.extraEnv);
        const password = await resolvePassword(env);
        // restic's --key-hint: the key file to try first (a repository with many keys).
        const access = { password, ...(env.RESTIC_KEY_HINT && { keyHint: env.RESTIC_KEY_HINT }) };
        const caPem = await this.ca(check);
        const backend = openBackend(
          { url: check.url, extraEnv: check.extraEnv, env: context.env, ...(check.region && { region: check.region }), bucketLookup: check.bucketLookup, ...(caPem !== undefined && { caPem }) },
          { s3Pool: this.pool, restAgent: this.agents.get, largeReads: this.largeReads },
        );
        const snapshots = await this.reader.snapshots(check.url, access, backend, signal);
        // The locks, when asked for: one more listing (locks/), and each lock file decrypted.
        if (!withLocks) return { snapshots };
        return { snapshots, locks: await this.reader.locks(check.url, access, backend, signal) };
      },
      check.timeoutMs,
      context.signal,
      { abortWhenSettled: true },
    );
  }

  private async ca(check: Check): Promise<string | undefined> {
    if (!check.caCert || backendKind(check.url) === 'local') return undefined;
    try {
      return await this.readCa(check.caCert);
    } catch (error) {
      throw new CheckError(`cannot read ca_cert ${check.caCert}: ${describeFsError(error as NodeJS.ErrnoException)}`);
    }
  }
}

/** The binary's listing, with its oldest lock when it can tell (ResticChecker.answer). */
function binaryAnswer(binary: NonNullable<BuiltinCheckerOptions['binary']>, check: Check, context: CheckContext, options: ListOptions): Promise<{ snapshots: SnapshotSummary[]; oldestLock?: SeenLock | null }> {
  return binary.answer ? binary.answer(check, context, options) : binary.list(check, context, options).then((snapshots) => ({ snapshots }));
}

/** A decrypted lock as the lock listing reports it: its `time` is when it was made or last refreshed. */
function seenLock(lock: ResticLock): SeenLock {
  const time = new Date(Date.parse(lock.time));
  if (Number.isNaN(time.getTime())) throw new CheckError(`lock ${lock.id.slice(0, 8)} has no readable time`);
  return { time, hostname: lock.hostname, pid: lock.pid, exclusive: lock.exclusive };
}

/** A failed check still says which reader failed, whatever failed: status output shows it beside the error. */
function readerFailure(error: unknown, reader: ReaderName): unknown {
  if (error instanceof Error) return Object.assign(error, { reader });
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
 * `restic snapshots --latest N`: the N newest snapshots (by time) of each (host, paths) group,
 * paths sorted and joined as restic keys them (cmd_snapshots.go, newFilterLastSnapshotsKey).
 */
export function latestPerGroup(snapshots: readonly SnapshotSummary[], latest = 1): SnapshotSummary[] {
  // By the snapshot's start, as restic picks (not the backup's end, which newest() counts from).
  const groups = new Map<string, SnapshotSummary[]>();
  for (const snapshot of snapshots) {
    const key = JSON.stringify([snapshot.hostname, [...snapshot.paths].sort().join('|')]);
    const group = groups.get(key);
    if (group) group.push(snapshot);
    else groups.set(key, [snapshot]);
  }
  return [...groups.values()].flatMap((group) => group.sort((a, b) => b.time.getTime() - a.time.getTime()).slice(0, latest));
}
