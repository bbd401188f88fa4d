// The `drill` capability, through the restic binary: `restic dump --no-lock latest PATH`
// reads a canary file back from the latest snapshot, as a restore would, and writes nothing.
import type { Check } from '../../config/types.js';
import { readCanary } from '../../health/canary.js';
import { needsOf } from '../../health/registry.js';
import type { DrillRun } from '../../health/signal.js';
import { runProcess, SpawnError, type RunProcess } from '../../process/run-process.js';
import type { CheckContext } from '../checker.js';
import { describeResticFailure } from './restic-errors.js';
import { globalArgs, resticEnv } from './env.js';

/** A canary holds one timestamp: more than this is not one, and restic is stopped there. */
export const CANARY_MAX_BYTES = 4096;

export interface DrillOptions {
  run?: RunProcess;
  now?: () => Date;
  /** Applied to the canary's content before a message shows part of it. */
  redact?: (text: string) => string;
  /** What is left of the check's timeout after its listing (default: all of it). */
  timeoutMs?: number;
}

/**
 * The arguments of one drill: the check's own snapshot filters (host, tags, paths), so that
 * `latest` is the snapshot the check judged fresh, never another host's.
 */
export function drillArgs(check: Check, path: string): string[] {
  const args = ['dump', '--no-lock', ...globalArgs(check)];
  if (check.host) args.push('--host', check.host);
  if (check.tags.length > 0) args.push('--tag', check.tags.join(','));
  for (const filter of check.paths) args.push('--path', filter);
  args.push('latest', path);
  return args;
}

/**
 * Runs the check's drill (a signal of the check needs one: needsOf) within what is left of
 * the check's timeout: a check with a drill still ends within its `timeout`, as /healthz
 * expects. Never rejects on a failed drill: every failure is a DrillRun with a reason.
 */
export async function drillRestore(check: Check, context: CheckContext, options: DrillOptions = {}): Promise<DrillRun> {
  const drill = needsOf(check).drill!;
  const at = (options.now ?? (() => new Date()))();
  const binary = context.env.RESTIC_MONITOR_RESTIC ?? 'restic';
  let result;
  try {
    result = await (options.run ?? runProcess)(binary, drillArgs(check, drill.path), {
      env: resticEnv(check, context.env),
      timeoutMs: options.timeoutMs ?? check.timeoutMs,
      signal: context.signal,
      maxStdoutBytes: CANARY_MAX_BYTES,
    });
  } catch (error) {
    if (error instanceof SpawnError) return { at, failure: error.describe('restic') };
    throw error;
  }
  if (result.overflow) return { at, failure: `canary is larger than ${CANARY_MAX_BYTES / 1024} KiB: ${drill.path} holds no timestamp` };
  if (result.code !== 0 || result.timedOut || result.aborted) {
    // 0.14: exit 2, `cannot dump file: path "..." not found in snapshot` (naming the first
    // missing part); 0.17+: exit 1, the same after "Fatal: ".
    if (!result.timedOut && !result.aborted && /not found in snapshot/.test(result.stderrTail)) return { at, failure: `${drill.path} not in the latest snapshot` };
    return { at, failure: describeResticFailure(result, check.timeoutMs, check.url) };
  }
  const reading = readCanary(result.stdout, options.redact);
  return 'error' in reading ? { at, failure: reading.error } : { at, writtenAt: reading.writtenAt };
}
