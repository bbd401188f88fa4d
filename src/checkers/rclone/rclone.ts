import type { Check } from '../../config/types.js';
import { timeoutReason } from '../deadline.js';
import { runProcess, SpawnError, type ProcessResult, type RunProcess } from '../../process/run-process.js';
import { CheckError, type CheckContext, type Checker, type Observation } from '../checker.js';
import { childEnv } from '../child-env.js';
import { notConfiguredReason, rcloneErrorLine } from './rclone-errors.js';
import { isResticFileName } from '../file-names.js';
import { locksDir, parseRcloneSpec, rcloneRemote, snapshotsDir, viaEnvironment } from '../../urls/rclone.js';
import { oldestLock, type SeenLock } from '../lock-facts.js';
import { needsOf } from '../../health/registry.js';
import { Newest } from '../newest.js';

/**
 * One listing request and no more: `--use-server-modtime` takes the time the object store
 * recorded (S3's LastModified, as fast mode on s3: reads) instead of the uploader's mtime
 * metadata, which costs one HEAD per snapshot on S3 and Swift and can be years old on a
 * bucket filled by `rclone sync`. Backends without server times ignore it (docs/fast-mode.md).
 */
export const LSJSON_ARGS = ['lsjson', '--files-only', '--no-mimetype', '--use-server-modtime'];

export interface RcloneCheckerOptions {
  /** The rclone binary; RESTIC_MONITOR_RCLONE or "rclone" from PATH by default. */
  binary?: string;
  run?: RunProcess;
}

/**
 * Fast mode for `rclone:` repositories: `rclone lsjson` on the snapshots directory and the
 * newest ModTime. rclone's own config (file or RCLONE_CONFIG_* in extra_env) supplies the
 * credentials; no restic password is needed. Only lists: never copies, moves or deletes.
 */
export class RcloneChecker implements Checker {
  readonly mode = 'fast' as const;
  readonly kind = 'rclone' as const;
  private readonly run: RunProcess;
  private readonly binary: string | undefined;

  constructor(options: RcloneCheckerOptions = {}) {
    this.run = options.run ?? runProcess;
    this.binary = options.binary;
  }

  supports(check: Check): boolean {
    return rcloneRemote(check.url) !== undefined;
  }

  async check(check: Check, context: CheckContext): Promise<Observation> {
    const remote = rcloneRemote(check.url);
    if (remote === undefined) throw new CheckError('not an rclone repository');
    const deadline = performance.now() + check.timeoutMs;
    const observation = newestModTime(await this.list(check, context, remote, snapshotsDir(remote), deadline));
    if (!needsOf(check).locks) return observation;
    // The locks: one more listing, of locks/; a remote without one holds no lock.
    const locks = await this.list(check, context, remote, locksDir(remote), deadline, true);
    return { ...observation, oldestLock: locks === undefined ? null : oldestModTime(locks) };
  }

  /** One `rclone lsjson` of `target`; `missingOk`: a missing directory is undefined, not a failure. */
  private async list(check: Check, context: CheckContext, remote: string, target: string, deadline: number, missingOk?: false): Promise<string>;
  private async list(check: Check, context: CheckContext, remote: string, target: string, deadline: number, missingOk: true): Promise<string | undefined>;
  private async list(check: Check, context: CheckContext, remote: string, target: string, deadline: number, missingOk = false): Promise<string | undefined> {
    const binary = this.binary ?? context.env.RESTIC_MONITOR_RCLONE ?? 'rclone';
    // A connection string's credentials go through the environment, never the command line.
    const passed = viaEnvironment(target);
    let result: ProcessResult;
    try {
      result = await this.run(binary, [...LSJSON_ARGS, passed.spec], {
        env: childEnv(context.env, check.extraEnv, passed.env),
        timeoutMs: Math.max(1, Math.round(deadline - performance.now())),
        signal: context.signal,
      });
    } catch (error) {
      if (error instanceof SpawnError) {
        throw new CheckError(error.describe('rclone'));
      }
      throw error;
    }
    if (result.timedOut) throw new CheckError(timeoutReason(check.timeoutMs));
    if (result.aborted) throw new CheckError('aborted');
    if (result.overflow) throw new CheckError('rclone printed more output than the monitor accepts');
    if (missingOk && (result.code === 3 || /directory not found/i.test(result.stderrTail))) return undefined;
    if (result.code !== 0) throw new CheckError(describeRcloneFailure(result, remote));
    return result.stdout;
  }
}

/** Pure: the oldest ModTime of the lock files in `rclone lsjson` output; null when none. */
export function oldestModTime(stdout: string): SeenLock | null {
  return oldestLock(modTimes(stdout).map((time) => ({ time: new Date(time) })));
}

/** Pure: the newest ModTime of the snapshot files in `rclone lsjson` output. */
export function newestModTime(stdout: string): Observation {
  const newest = new Newest((time: number) => time);
  for (const time of modTimes(stdout)) newest.offer(time);
  return { latest: newest.item === undefined ? null : new Date(newest.item), snapshots: newest.count };
}

/** The entries of `rclone lsjson` output, or the reason it cannot be read. */
export function lsjsonEntries(stdout: string): Array<{ Name?: unknown; ModTime?: unknown; IsDir?: unknown } | null> {
  let entries: unknown;
  try {
    entries = JSON.parse(stdout);
  } catch {
    throw new CheckError('unreadable output from rclone: not JSON');
  }
  if (!Array.isArray(entries)) throw new CheckError('unreadable output from rclone: not a list');
  return entries as Array<{ Name?: unknown; ModTime?: unknown; IsDir?: unknown } | null>;
}

/** The ModTimes of the restic files (64 hex digits) in `rclone lsjson` output. */
function modTimes(stdout: string): number[] {
  const times: number[] = [];
  for (const entry of lsjsonEntries(stdout)) {
    if (entry?.IsDir === true || typeof entry?.Name !== 'string' || !isResticFileName(entry.Name)) continue;
    const time = typeof entry.ModTime === 'string' ? Date.parse(entry.ModTime) : NaN;
    if (Number.isNaN(time)) throw new CheckError(`unreadable output from rclone: ${entry.Name.slice(0, 8)} has no readable ModTime`);
    times.push(time);
  }
  return times;
}

/** rclone exits 3 for a missing directory and prints "<date> <LEVEL> : ..." lines. */
export function describeRcloneFailure(result: Pick<ProcessResult, 'code' | 'stderrTail'>, remote: string): string {
  const stderr = result.stderrTail;
  const name = parseRcloneSpec(remote)?.name ?? remote.slice(0, remote.indexOf(':'));
  if (/didn't find section in config file/i.test(stderr)) return notConfiguredReason(name);
  if (result.code === 3 || /directory not found/i.test(stderr)) return `not a restic repository (no snapshots/ directory at ${remote})`;
  // rclone's last failure line, as restic mode reports it; else its last line of any kind.
  const lines = stderr.split('\n');
  const last =
    rcloneErrorLine(lines)?.replace(/^rclone: /, '') ??
    lines
      .map((line) => line.replace(/^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d\s+(?:[A-Z]+\s*:\s*)?/, '').trim())
      .filter((line) => line !== '')
      .pop();
  const status = result.code === null ? 'rclone was killed' : `rclone exited with code ${result.code}`;
  // Not shortened here: a cut could split a secret, which the redactor would then miss.
  return last ? `${status}: ${last}` : status;
}
