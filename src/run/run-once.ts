import type { Log } from '../log.js';
import { AbortFanout } from '../abort/fanout.js';
import { CheckError, type Checker, type Observation } from '../checkers/checker.js';
import { planChecks, type Plan } from '../checkers/plan.js';
import { availableIn, checkerOfKind } from '../checkers/select.js';
import type { Config, Check } from '../config/types.js';
import { PushError, type PushTarget } from '../push/target.js';
import type { Redactor } from '../redact.js';
import { shorten, shortenMiddle } from '../text.js';
import { decide, type Outcome } from '../verdict.js';
import { inFlightBound, limitsFor, type Limits } from './limiter.js';
import { mapLimit } from '../pool.js';
import type { PushOutcome, CheckResult } from './result.js';
import { ageSeconds } from './result-json.js';
import { PrimaryLooks, primariesFirst, primariesOf } from './primary-looks.js';
import type { drillRestore } from '../checkers/restic/restore-drill.js';
import { needsOf, SIGNALS } from '../health/registry.js';
import type { DrillRun, Seen } from '../health/signal.js';
import type { DrillKeeper } from './drills.js';

/** A reason long enough to act on, short enough for a status line and a pushed message. */
const MAX_REASON_LENGTH = 200;

/** Separate bounds for checks and pushes (limiter.ts); without them nothing is bounded here. */
export type { Limits };

export interface RunDeps {
  checkers: readonly Checker[];
  pushTargets: readonly PushTarget[];
  now: () => Date;
  env: Readonly<Record<string, string | undefined>>;
  logger: Log;
  redactor: Redactor;
  limits?: Limits;
  /** The config's plan (planChecks); without it, each check is planned on its own. */
  plan?: Plan;
  /** The primaries' looks (the `primary` capability); without it a copy's look has none to compare with. */
  primaries?: PrimaryLooks;
  /**
   * The daemon's background services (health/signal.ts): what each observed for a check, by
   * signal; undefined for none. One-shot runs have none.
   */
  background?: (check: Check) => Seen['background'];
  /** The `drill` capability: runs one drill (the restic binary's `dump` by default). */
  drill?: typeof drillRestore;
  /** The daemon's drills between runs; without it (a one-shot run) every check drills. */
  drills?: DrillKeeper;
}

export interface RunOptions {
  /** false for `status`: check and show, push nothing. */
  push: boolean;
  signal: AbortSignal;
  /**
   * The caller prints every result for a person (`run`, `status`): a result then logs at
   * info, not warn/error, so that at their default level (warn) each appears once. The
   * daemon has no other output and leaves it unset.
   */
  printed?: boolean;
  /** Called as each check ends (the CLI's progress count). */
  onChecked?: (result: CheckResult) => void;
}

/**
 * Runs every check of `config` (bounded by its concurrency) and pushes the verdicts. The
 * checks others compare with (primaries) start first; one that `--only` left out
 * (config.unselectedPrimaries) is looked at for those, never pushed or returned.
 */
export async function runOnce(config: Config, deps: RunDeps, options: RunOptions): Promise<CheckResult[]> {
  const lookOnly = new Set((config.unselectedPrimaries ?? []).map((check) => check.name));
  const all = primariesFirst([...config.checks, ...(config.unselectedPrimaries ?? [])]);
  const plan = planChecks(all, availableIn(deps.checkers));
  // Checks on one repository URL share one restic run in this cycle.
  const cycle = {
    ...deps,
    plan,
    // Loaded only for a config that has such checks (hosts: or filters on one URL).
    checkers: plan.groups.size === 0 ? deps.checkers : (await import('../checkers/restic/shared-restic.js')).shareResticRuns(deps.checkers, plan),
    limits: limitsFor(config.concurrency),
    primaries: new PrimaryLooks(primariesOf(config.checks)),
  };
  // One signal per check under the run's, so that the run's carries one listener
  // however many checks are in flight (see AbortFanout).
  const signals = new AbortFanout(options.signal);
  // Not a third bound: the limiters are the bounds (limiter.ts, inFlightBound).
  const results = await mapLimit(all, inFlightBound(config.concurrency), async (check) => {
    const own = signals.child();
    try {
      if (lookOnly.has(check.name)) return runCheck(check, cycle, { ...options, push: false, signal: own.signal });
      const result = await runCheck(check, cycle, { ...options, signal: own.signal });
      options.onChecked?.(result);
      return result;
    } finally {
      own.release();
    }
  }).finally(() => signals.dispose());
  // Config order, as every output shows it.
  const byName = new Map(results.map((result) => [result.name, result]));
  return config.checks.map((check) => byName.get(check.name)!);
}

/** One check: look, decide, push. Never rejects: every failure becomes a result. */
export async function runCheck(check: Check, deps: RunDeps, options: RunOptions): Promise<CheckResult> {
  const log = deps.logger.child({ check: check.name, repository: check.repository });
  const planned = (deps.plan ?? planChecks([check], availableIn(deps.checkers))).of(check);
  const checker = checkerOfKind(planned.kind, deps.checkers);
  let started = deps.now();
  let startedAt = performance.now();
  const look = async (): Promise<Observation & { drill?: DrillRun }> => {
    // Stopped while this check waited for its slot: do not start restic only to kill it.
    if (options.signal.aborted) throw new CheckError('aborted');
    // The time waited for a slot is not the check's: its duration starts here.
    started = deps.now();
    startedAt = performance.now();
    const seen = await checker.check(check, { signal: options.signal, env: deps.env });
    // A drill, in the same slot: after the listing, and only when it could be made. No
    // snapshot (that says it all) or no restic: nothing to drill.
    if (needsOf(check).drill === undefined || checker.mode !== 'restic' || seen.latest === null) return seen;
    let drill = deps.drills?.current(check, deps.now());
    if (drill === undefined) {
      // The check's timeout covers both: the drill gets what the listing left of it.
      const timeoutMs = Math.max(1, Math.round(check.timeoutMs - (performance.now() - startedAt)));
      // Loaded here: a run without a drill never needs the restic binary's code.
      const run = deps.drill ?? (await import('../checkers/restic/restore-drill.js')).drillRestore;
      drill = await run(check, { signal: options.signal, env: deps.env }, { now: deps.now, redact: (text) => deps.redactor.redact(text), timeoutMs });
      deps.drills?.keep(check, drill);
    }
    return { ...seen, drill };
  };
  let observed: Outcome;
  let observation: (Observation & { drill?: DrillRun }) | undefined;
  deps.primaries?.begun(check.name);
  // Which restic reader answered (or failed): set by the built-in reader's checker.
  let reader: CheckResult['reader'];
  try {
    observed = observation = await (deps.limits?.checks.run(look) ?? look());
    reader = observation.reader;
  } catch (error) {
    reader = (error as { reader?: CheckResult['reader'] } | undefined)?.reader;
    const reason = error instanceof CheckError ? error.reason : `internal error: ${(error as Error).message}`;
    // Redact first, shorten after: a cut through a secret would hide it from the redactor.
    observed = { failure: shorten(deps.redactor.redact(reason), MAX_REASON_LENGTH) };
  }
  const durationMs = performance.now() - startedAt;
  deps.primaries?.seen(check.name, observed);
  // A copy judges itself by its primary's look of this run (or the daemon's last one); the
  // wait is not part of its duration.
  const primary = needsOf(check).primary;
  if (primary !== undefined && !('failure' in observed)) {
    observed = { ...observed, primary: (await deps.primaries?.of(primary)) ?? { name: primary } };
  }
  // A check served by a restic run it shared pushes that run's duration as its own.
  const pushedMs = observation?.sharedRunMs ?? durationMs;
  const background = deps.background?.(check);
  if (background !== undefined && !('failure' in observed)) observed = { ...observed, background };
  const verdict = decide(observed, check.maxAgeMs, deps.now(), check.signals);
  const facts = 'failure' in observed ? undefined : observed.facts;
  const message = deps.redactor.redact(verdict.message);
  const latest = 'latest' in observed ? observed.latest : null;
  // A check cut short because we are stopping says nothing about the repository: no alarm in the log.
  const stopping = options.signal.aborted;
  log[verdict.status === 'up' || stopping || options.printed ? 'info' : 'warn'](
    { mode: checker.mode, ...(reader && { reader }), status: verdict.status, latest: latest?.toISOString() ?? null, age_seconds: ageSeconds(verdict.ageMs), duration_ms: Math.round(durationMs) },
    message,
  );

  const pushes: PushOutcome[] = [];
  if (options.push) {
    for (const target of deps.pushTargets) {
      if (!target.wants(check)) continue;
      try {
        const send = () => target.push(check, { status: verdict.status, message, durationMs: pushedMs }, options.signal);
        await (deps.limits?.pushes.run(send) ?? send());
        pushes.push({ target: target.kind, delivered: true });
        log.debug({ target: target.kind }, 'push delivered');
      } catch (error) {
        // The middle goes, not the end: a target's error says what went wrong last
        // (Kuma's "update ... - SQLITE_BUSY: database is locked").
        const reason = shortenMiddle(deps.redactor.redact(error instanceof PushError ? error.reason : `internal error: ${(error as Error).message}`), MAX_REASON_LENGTH);
        pushes.push({ target: target.kind, delivered: false, error: reason });
        log[stopping || options.signal.aborted || options.printed ? 'info' : 'error']({ target: target.kind }, `push failed: ${reason}`);
      }
    }
  }
  return {
    name: check.name,
    repository: check.repository,
    status: verdict.status,
    mode: checker.mode,
    ...(reader && { reader }),
    latest,
    latestBasis: latest === null ? null : checker.mode === 'fast' ? 'file_time' : (observation?.basis ?? 'time'),
    ageMs: verdict.ageMs,
    maxAgeMs: check.maxAgeMs,
    message,
    error: 'failure' in observed ? observed.failure : null,
    durationMs: Math.round(durationMs),
    checkedAt: started,
    pushes,
    ...(verdict.signals && { signals: verdict.signals }),
    ...(facts?.latest && { latestFiles: facts.latest.files, latestBytes: facts.latest.bytes }),
    ...(facts?.count !== undefined && { snapshotCount: facts.count }),
    ...Object.assign({}, ...SIGNALS.map((signal) => signal.report?.(check, observed, started, background))),
  };
}
