// One integrity check: `restic check --no-lock` against a repository, through the same child
// environment and process runner as every restic run (deadline, output caps, tree kill).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Check } from '../config/types.js';
import type { IntegritySettings } from './settings.js';
import { runProcess, SpawnError, type RunProcess } from '../process/run-process.js';
import { resticEnv } from '../checkers/restic/env.js';
import { describeResticFailure } from '../checkers/restic/restic-errors.js';
import { integrityFinding } from './reason.js';

/** The last integrity check of a repository, as every output shows it. */
export interface IntegrityResult {
  ok: boolean;
  /** When the check started. */
  checkedAt: Date;
  /** "no errors found", or restic's reason (not yet redacted: the daemon redacts it). */
  message: string;
  durationMs: number;
  /**
   * restic could not check at all and found no damage (a wrong password, a network failure):
   * tried again within RETRY_MS rather than after a whole `interval`. Not for a timeout,
   * which would only time out again.
   */
  retrySoon?: boolean;
}

export interface IntegrityRunDeps {
  env: Readonly<Record<string, string | undefined>>;
  now: () => Date;
  signal: AbortSignal;
  run?: RunProcess;
}

/** restic's progress on stdout is not read; a bounded tail of it is enough to drop it. */
const STDERR_TAIL_BYTES = 1024 * 1024;

/**
 * The arguments: never a command that writes or locks. `--json` makes restic 0.18+ report
 * errors as JSON lines (0.14-0.17 take the flag and print text: both are read). The cache
 * is a directory of our own, removed afterwards (restic check would make a temporary one
 * too, but a restic killed at the timeout leaves it behind), or none with cache_dir: off.
 */
export function integrityArgs(check: Check, settings: IntegritySettings, cacheDir: string | undefined): string[] {
  const args = ['check', '--no-lock', '--json'];
  if (settings.readDataSubset !== undefined) args.push('--read-data-subset', settings.readDataSubset);
  if (check.caCert) args.push('--cacert', check.caCert);
  args.push(...(cacheDir === undefined ? ['--no-cache'] : ['--cache-dir', cacheDir]));
  return args;
}

/** Runs one check; undefined when it was aborted (the daemon is stopping): that says nothing. */
export async function runIntegrityCheck(check: Check, settings: IntegritySettings, deps: IntegrityRunDeps): Promise<IntegrityResult | undefined> {
  const run = deps.run ?? runProcess;
  const binary = deps.env.RESTIC_MONITOR_RESTIC ?? 'restic';
  const checkedAt = deps.now();
  const started = performance.now();
  const done = (ok: boolean, message: string, retrySoon = false): IntegrityResult => ({ ok, checkedAt, message, durationMs: Math.round(performance.now() - started), ...(retrySoon && { retrySoon }) });
  // Inside the configured cache directory when there is one: a check's cache holds the
  // repository's trees, which may not fit a small /tmp.
  const cacheDir = check.cacheDir === 'off' ? undefined : await mkdtemp(join(check.cacheDir ?? tmpdir(), 'restic-monitor-check-')).catch(() => undefined);
  try {
    const result = await run(binary, integrityArgs(check, settings, cacheDir), {
      env: resticEnv(check, deps.env),
      timeoutMs: settings.timeoutMs,
      signal: deps.signal,
      onStdout: () => undefined,
      stderrTailBytes: STDERR_TAIL_BYTES,
    });
    if (result.aborted) return undefined;
    if (result.code === 0 && !result.timedOut) return done(true, settings.readDataSubset === undefined ? 'no errors found' : `no errors found (read ${describeSubset(settings.readDataSubset)} of the data)`);
    const finding = result.timedOut ? undefined : integrityFinding(result.stderrTail);
    return done(false, finding ?? describeResticFailure(result, settings.timeoutMs, check.url), finding === undefined && !result.timedOut);
  } catch (error) {
    if (error instanceof SpawnError) return done(false, error.describe('restic'), true);
    throw error;
  } finally {
    if (cacheDir !== undefined) await rm(cacheDir, { recursive: true, force: true });
  }
}

function describeSubset(arg: string): string {
  const bytes = /^(\d+)b$/.exec(arg);
  return bytes ? `${bytes[1]} bytes` : arg;
}
