import type { Check } from '../../config/types.js';
import { runProcess, SpawnError, type RunProcess } from '../../process/run-process.js';
import { CheckError, type CheckContext, type Checker, type Observation } from '../checker.js';
import { globalArgs, resticEnv } from './env.js';
import { describeResticFailure } from './restic-errors.js';
import { OutputError, SnapshotReader, type SnapshotSummary } from './restic-output.js';
import { observeListing } from '../snapshot-facts.js';
import { oldestLock, type SeenLock } from '../lock-facts.js';
import { toResticLock, type ResticLock } from '../reader/lock.js';
import { listOptionsFor, type ListOptions } from '../list-options.js';

export { globalArgs, listOptionsFor, resticEnv, type ListOptions };

export interface ResticCheckerOptions {
  /** The restic binary; RESTIC_MONITOR_RESTIC or "restic" from PATH by default. */
  binary?: string;
  run?: RunProcess;
}

/** Arguments for a read-only listing: never a command that writes, locks or prunes. */
export function resticArgs(check: Check, options: ListOptions = {}): string[] {
  const args = ['snapshots', '--json', '--no-lock'];
  // The newest per (host, paths) group keeps the output small however many snapshots there
  // are, and serves a shared listing's host and path checks. --latest alone means that in
  // restic 0.9-0.18 and 0.19.1 but only the overall newest in 0.19.0; with an explicit
  // --group-by (stable since 0.9.5) it means the same in every version.
  if (!options.everySnapshot) args.push('--group-by', 'host,paths', '--latest', String(options.latest ?? 1));
  args.push(...globalArgs(check));
  if (check.host) args.push('--host', check.host);
  if (check.tags.length > 0) args.push('--tag', check.tags.join(','));
  for (const path of check.paths) args.push('--path', path);
  return args;
}

/** A lock ID as `restic list locks` prints it: 64 hex digits. */
const LOCK_ID = /^[0-9a-f]{64}$/;

export class ResticChecker implements Checker {
  readonly mode = 'restic' as const;
  readonly kind = 'restic' as const;
  private readonly run: RunProcess;
  private readonly binary: string | undefined;

  constructor(options: ResticCheckerOptions = {}) {
    this.run = options.run ?? runProcess;
    this.binary = options.binary;
  }

  supports(): boolean {
    return true; // restic reads every backend it knows; the rest it reports itself
  }

  async check(check: Check, context: CheckContext): Promise<Observation> {
    const options = listOptionsFor([check]);
    const observation = observeListing(await this.list(check, context, options), check, options);
    return options.locks ? { ...observation, oldestLock: oldestLock(await this.locks(check, context)) } : observation;
  }

  /** What the shared run takes: the listing and, when asked for, the oldest lock. */
  async answer(check: Check, context: CheckContext, options: ListOptions = {}): Promise<{ snapshots: SnapshotSummary[]; oldestLock?: SeenLock | null }> {
    const snapshots = await this.list(check, context, options);
    return options.locks ? { snapshots, oldestLock: oldestLock(await this.locks(check, context)) } : { snapshots };
  }

  /**
   * The locks: `restic list locks --no-lock`, then `restic cat lock ID --no-lock` for each
   * (1 + N runs, each paying the key derivation; a repository rarely holds more than a few
   * locks). A lock removed between the two (released) is skipped. All within the timeout.
   */
  async locks(check: Check, context: CheckContext): Promise<SeenLock[]> {
    const deadline = performance.now() + check.timeoutMs;
    const ids = (await this.runText(check, context, ['list', 'locks', '--no-lock'], deadline)).split('\n').map((line) => line.trim()).filter((line) => LOCK_ID.test(line));
    const locks: SeenLock[] = [];
    for (const id of ids) {
      let text: string;
      try {
        text = await this.runText(check, context, ['cat', 'lock', id, '--no-lock'], deadline);
      } catch (error) {
        if (error instanceof CheckError && /not exist|no such file|not found/i.test(error.reason)) continue;
        throw error;
      }
      let lock: ResticLock;
      try {
        lock = toResticLock(id, JSON.parse(text));
      } catch {
        throw new CheckError(`unreadable output from restic cat lock ${id.slice(0, 8)}`);
      }
      const time = new Date(Date.parse(lock.time));
      if (Number.isNaN(time.getTime())) throw new CheckError(`lock ${id.slice(0, 8)} has no readable time`);
      locks.push({ time, hostname: lock.hostname, pid: lock.pid, exclusive: lock.exclusive });
    }
    return locks;
  }

  /** One restic run whose whole output is wanted (small: lock IDs, one lock). */
  private async runText(check: Check, context: CheckContext, command: string[], deadline: number): Promise<string> {
    const binary = this.binary ?? context.env.RESTIC_MONITOR_RESTIC ?? 'restic';
    const timeoutMs = Math.max(1, Math.round(deadline - performance.now()));
    let result;
    try {
      result = await this.run(binary, [...command, ...globalArgs(check)], { env: resticEnv(check, context.env), timeoutMs, signal: context.signal, maxStdoutBytes: 16 * 1024 * 1024 });
    } catch (error) {
      if (error instanceof SpawnError) throw new CheckError(error.describe('restic'));
      throw error;
    }
    if (result.code !== 0 || result.timedOut || result.aborted || result.overflow) throw new CheckError(describeResticFailure(result, check.timeoutMs, check.url));
    return result.stdout;
  }

  /** One restic run: the snapshots that pass the repository's own filters. */
  async list(check: Check, context: CheckContext, options: ListOptions = {}): Promise<SnapshotSummary[]> {
    const binary = this.binary ?? context.env.RESTIC_MONITOR_RESTIC ?? 'restic';
    let result;
    // Read while restic prints: memory holds one snapshot at a time, not all of the output.
    const reader = new SnapshotReader();
    try {
      result = await this.run(binary, resticArgs(check, options), {
        env: resticEnv(check, context.env),
        timeoutMs: check.timeoutMs,
        signal: context.signal,
        onStdout: (chunk) => reader.push(chunk),
      });
    } catch (error) {
      if (error instanceof SpawnError) {
        throw new CheckError(error.describe('restic'));
      }
      throw error;
    }
    if (result.code !== 0 || result.timedOut || result.aborted || result.overflow) {
      throw new CheckError(describeResticFailure(result, check.timeoutMs, check.url));
    }
    try {
      return reader.end();
    } catch (error) {
      if (error instanceof OutputError) throw new CheckError(`unreadable output from restic: ${error.message}`);
      throw error;
    }
  }
}
