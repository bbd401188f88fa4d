import type { LevelWithSilent } from 'pino';
import type { Checker } from '../checkers/checker.js';
import { ConfigError } from '../config/errors.js';
import type { Config, Check } from '../config/types.js';
import { parseListen } from '../http/listen.js';
import { startHttpEndpoint, type HttpEndpoint } from '../http/server.js';
import { renderStatusPage, STATUS_PAGE_REFRESH_SECONDS } from '../http/status-page.js';
import { createLogger, type Log, type Sink } from '../log.js';
import { CONTENT_TYPE, renderMetrics } from '../metrics/render.js';
import { addResult, type Tally } from '../metrics/tally.js';
import type { PushTarget } from '../push/target.js';
import { redactorFor } from '../redact.js';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, type CheckResult, type UnmonitoredRepository } from '../run/result.js';
import { resultsJsonText } from '../run/result-json.js';
import { inFlightBound, limitsFor } from '../run/limiter.js';
import { runCheck, type Limits, type RunDeps } from '../run/run-once.js';
import { DrillKeeper } from '../run/drills.js';
import { shareResticRuns } from '../checkers/restic/shared-restic.js';
import { planChecks, type Plan } from '../checkers/plan.js';
import { availableIn } from '../checkers/select.js';
import { overdueAfterMs, worstCaseCycleMs } from '../run/bounds.js';
import { judgeHealth } from './health.js';
import { PrimaryLooks, primariesFirst, primariesOf } from '../run/primary-looks.js';
import { Scheduler, type EntryView } from './scheduler.js';
import { realTimers, type Timers } from './timers.js';
import { KumaSyncer } from './kuma-syncer.js';
import { syncKuma } from '../kuma/run-sync.js';
import { carryOver, describeDiscovery, DISCOVER_EVERY_MS, discoverRepositories, emptyDiscovery, type Discovery } from '../discover/discover.js';
import { addResult as tallyOf } from '../metrics/tally.js';
import { SIGNALS } from '../health/registry.js';
import type { BackgroundService, Seen } from '../health/signal.js';

/** Where SIGHUP comes from; `process` in production, an EventEmitter in tests. */
export interface HangupSource {
  on(event: 'SIGHUP', listener: () => void): unknown;
  off(event: 'SIGHUP', listener: () => void): unknown;
}

export interface DaemonOptions {
  /** The config already loaded (and validated) at start. */
  config: Config;
  /** Loads the config again on SIGHUP; rejects with a ConfigError when it is invalid. */
  load: () => Promise<Config>;
  checkers: readonly Checker[];
  pushTargets: readonly PushTarget[];
  env: Readonly<Record<string, string | undefined>>;
  /** Secrets that are not in the config or the usual variables (an environment file's values). */
  secrets?: readonly string[];
  now: () => Date;
  stderr: Sink;
  /** The log level (the CLI's chooseLogLevel: --log-level, else LOG_LEVEL); default info. */
  logLevel?: LevelWithSilent;
  /** Aborted by SIGTERM/SIGINT: stop the schedule, abort checks, return 0. */
  signal: AbortSignal;
  hangup?: HangupSource;
  /**
   * Called once the daemon is ready: config loaded, SIGHUP handled, endpoint listening, which
   * is when systemd (Type=notify) counts it started and lets a reload through. Resolves with
   * why that could not be told (logged), or undefined (main.ts: notifyReady).
   */
  ready?: () => Promise<string | undefined>;
  timers?: Timers;
  random?: () => number;
}


/** The long-running mode: schedule, HTTP endpoint, reload on SIGHUP, clean stop. Resolves with the exit code. */
export async function runDaemon(options: DaemonOptions): Promise<number> {
  let config = options.config;
  // Checks and pushes have separate bounds, kept across reloads; the scheduler admits enough
  // repositories to fill both, so a slow push target never delays the next check.
  // The two bounds (limiter.ts); the scheduler's own cap is inFlightBound, never the tighter one.
  const limits: Limits = limitsFor(config.concurrency);
  // What discover: found last (daemon.md "Discovery"); its checks run beside the configured ones.
  let discovery: Discovery = emptyDiscovery();
  // A configured check wins a name: a reload may configure one that discover had found.
  const allChecks = (): Check[] => {
    const names = new Set(config.checks.map((check) => check.name));
    return [...config.checks, ...discovery.checks.filter((check) => !names.has(check.name))];
  };
  const withFound = (): Config => ({ ...config, checks: allChecks(), secrets: [...config.secrets, ...discovery.secrets] });
  // Primaries first, so that at start a copy finds its primary's look begun; a primary that
  // --only left out is checked on its own schedule too, never pushed or shown.
  const schedule = (current: Config) => ({ checks: primariesFirst([...current.checks, ...(current.unselectedPrimaries ?? [])]), concurrency: inFlightBound(current.concurrency) });
  const lookOnly = (current: Config) => new Set((current.unselectedPrimaries ?? []).map((check) => check.name));
  let hidden = lookOnly(config);
  // A copy judges its lag by its primary's latest look, kept across checks and reloads.
  const primaries = new PrimaryLooks(primariesOf(config.checks));
  // Passing restore drills stand for their interval, across reloads (run/drills.ts).
  const drills = new DrillKeeper();
  let deps = buildDeps(config, options, limits, primaries, drills);
  const listen = config.listen === undefined ? undefined : parseListen(config.listen);
  if (typeof listen === 'string') {
    options.stderr.write(`restic-monitor: config error:\n  ${listen}\n`);
    return EXIT_USAGE;
  }
  // Only the latest result per check, and its totals: nothing grows with time.
  const tallies = new Map<string, Tally>();
  let reloadOk = true;
  let loadedAt = options.now().getTime() / 1000;
  const scheduler = new Scheduler(schedule(config), {
    check: (check, signal) => runCheck(check, deps, { push: !hidden.has(check.name), signal }),
    onResult: (result) => {
      if (!hidden.has(result.name)) tallies.set(result.name, addResult(tallies.get(result.name), result));
    },
    onError: (error, check) => deps.logger.error({ check: check.name, repository: check.repository }, `internal error: ${(error as Error).message}`),
    ...(options.timers && { timers: options.timers }),
    ...(options.random && { random: options.random }),
    // Group members keep one due time: the plan says which checks share a restic run.
    groupOf: (check) => deps.plan.of(check).group,
  });
  // The signals' background services (health/signal.ts), each with a schedule of its own:
  // a check judges what each last observed.
  const services = new Map<string, BackgroundService>();
  for (const signal of SIGNALS) {
    if (signal.background === undefined) continue;
    const service = signal.background.start({
      checks: config.checks,
      env: options.env,
      now: options.now,
      ...(options.timers && { timers: options.timers }),
      logger: () => deps.logger,
      redact: (text) => deps.redactor.redact(text),
      recheck: (which) => scheduler.runNow(allChecks().filter(which).map((check) => check.name)),
    });
    services.set(signal.name, service);
  }
  deps.background = backgroundLookup(services);
  // kuma.sync: Kuma's monitors follow the checks, configured and discovered (never pruned).
  const kumaSyncer = new KumaSyncer({
    sync: async (signal) => {
      const kuma = config.kuma;
      if (!kuma?.sync) return undefined;
      const result = await syncKuma({ checks: allChecks(), kuma, cycleMs: (check) => worstCaseCycleMs(check, options.pushTargets), prune: 'off', partial: true, discoveryIncomplete: false, dryRun: false, signal });
      // A monitor just made (or resumed) has no beat yet: its check runs now, not an interval on.
      const fresh = result.outcomes.flatMap(({ step, error }) => (error === undefined && (step.kind === 'create' || step.kind === 'resume') ? [step.desired.check] : []));
      if (fresh.length > 0) scheduler.runNow(fresh);
      return result;
    },
    logger: () => deps.logger,
    timers: options.timers ?? realTimers,
  });
  const now = clockOf(options);
  // Discover's down rows (a location not listed) follow the checks.
  const inOrder = () => [...allChecks().flatMap((check) => tallies.get(check.name) ?? []), ...discovery.failures.map((row) => tallyOf(undefined, row))];

  let endpoint: HttpEndpoint | undefined;
  if (listen) {
    try {
      endpoint = await startHttpEndpoint(listen, {
        metrics: () => ({
          body: renderMetrics(inOrder(), options.now(), { configReloadOk: reloadOk, configLoadedAt: loadedAt, ...(config.discover && { unmonitored: discovery.unmonitored }) }),
          contentType: CONTENT_TYPE,
        }),
        health: () =>
          judgeHealth(
            scheduler.running,
            scheduler.view().map(({ check, lastProgressAt }) => ({
              name: check.name,
              lastProgressAt,
              overdueAfterMs: overdueAfterMs(check.intervalMs, worstCaseCycleMs(check, options.pushTargets)),
            })),
            now(),
          ),
        // Without fake timers the scheduler's clock is the wall clock: no offset. Two readings of
        // it may straddle a millisecond, which showed a 09:00 run as 08:59:59.999.
        status: () => withNextRun(inOrder().map((tally) => tally.latest), scheduler.view(), options.timers ? options.now().getTime() - options.timers.now() : 0, discovery.unmonitored),
        statusPage: () =>
          renderStatusPage({
            results: inOrder().map((tally) => tally.latest),
            pending: allChecks().filter((check) => !tallies.has(check.name)).map((check) => check.name),
            now: options.now(),
            refreshSeconds: STATUS_PAGE_REFRESH_SECONDS,
            unmonitored: discovery.unmonitored,
          }),
      }, {
        // A fault of ours, not the client's: the client got a 500, the log says why.
        onError: (error, path) => deps.logger.error({ path }, `internal error answering ${path}: ${(error as Error)?.message ?? String(error)}`),
      });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      deps.logger.fatal(`cannot listen on ${config.listen}: ${code}`);
      return EXIT_FAILED;
    }
  }

  // SIGHUPs are handled one at a time; one arriving during a reload runs after it.
  let reloading: Promise<void> = Promise.resolve();
  const reload = async () => {
    let next: Config;
    try {
      next = await options.load();
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      reloadOk = false;
      deps.logger.error({ problems: error.problems }, `config reload failed, keeping the previous config: ${error.problems.join('; ')}`);
      return;
    }
    if (next.listen !== config.listen) deps.logger.warn(`listen changed to ${next.listen ?? '(none)'}: it takes effect on restart`);
    config = { ...next, listen: config.listen };
    limits.checks.setLimit(config.concurrency);
    primaries.retain(primariesOf(config.checks));
    hidden = lookOnly(config);
    reloadOk = true;
    loadedAt = options.now().getTime() / 1000;
    applyChecks();
    deps.logger.info({ checks: config.checks.length, concurrency: config.concurrency }, 'config reloaded');
    kumaSyncer.request();
    // The locations may have changed, and so may what a found repository is checked with.
    rediscover();
  };
  /** After a reload or a discovery: the schedule, the tallies and the checkers follow the checks. */
  const applyChecks = () => {
    const current = withFound();
    deps = { ...buildDeps(current, options, limits, primaries, drills), background: backgroundLookup(services) };
    for (const service of services.values()) service.update(current.checks);
    drills.retain(current.checks);
    const names = new Set(current.checks.map((check) => check.name));
    for (const name of [...tallies.keys()]) if (!names.has(name)) tallies.delete(name);
    scheduler.update(schedule(current));
    for (const checker of options.checkers) checker.retain?.(current.checks);
  };

  // discover: at start, after each reload, and every DISCOVER_EVERY_MS. One at a time: a
  // newer one aborts the one in flight, whose findings are dropped.
  const timers = options.timers ?? realTimers;
  let discoverTimer: unknown;
  let discoverRun: AbortController | undefined;
  let discovering: Promise<void> = Promise.resolve();
  const rediscover = () => {
    timers.clearTimeout(discoverTimer);
    discoverTimer = undefined;
    discoverRun?.abort();
    discoverRun = undefined;
    if (options.signal.aborted) return;
    if (config.discover === undefined) {
      if (discovery.checks.length + discovery.unmonitored.length + discovery.failures.length > 0) {
        discovery = emptyDiscovery();
        applyChecks();
      }
      return;
    }
    const run = new AbortController();
    discoverRun = run;
    const current = config;
    const previous = discovering;
    discovering = (async () => {
      await previous;
      if (run.signal.aborted) return;
      const redactor = deps.redactor;
      const found = await discoverRepositories(current, { checkers: options.checkers, env: options.env, now: options.now, signal: run.signal, redact: (text) => redactor.redact(text) });
      if (run.signal.aborted) return;
      discovery = carryOver(discovery, found, new Set(current.checks.map((check) => check.name)));
      applyChecks();
      for (const walk of found.walks) {
        if (walk.failure !== undefined) deps.logger.error({ location: walk.location.where }, `discovery failed under ${deps.redactor.redact(walk.location.url)}: ${deps.redactor.redact(walk.failure)}`);
      }
      deps.logger.info(describeDiscovery(discovery), 'discovery done');
      kumaSyncer.request();
    })()
      .catch((error: unknown) => deps.logger.error(`internal error in discovery: ${(error as Error).message}`))
      .finally(() => {
        // Even after an internal error: discovery stops only with the daemon or a newer run.
        if (!run.signal.aborted && !options.signal.aborted && discoverRun === run) discoverTimer = timers.setTimeout(rediscover, DISCOVER_EVERY_MS);
      });
  };
  const onHangup = () => {
    reloading = reloading.then(reload).catch((error: unknown) => {
      reloadOk = false;
      deps.logger.error(`config reload failed: ${(error as Error).message}`);
    });
  };
  const hangup = options.hangup ?? process;
  hangup.on('SIGHUP', onHangup);

  deps.logger.info(
    { checks: config.checks.length, concurrency: config.concurrency, ...(endpoint && { listen: endpoint.url }) },
    endpoint ? `daemon started, serving ${endpoint.url}/metrics` : 'daemon started',
  );
  // Stopped while starting (a SIGTERM during start-up): start no restic only to kill it.
  if (!options.signal.aborted) {
    void options.ready?.().then((problem) => {
      if (problem !== undefined) deps.logger.error(`could not tell systemd the daemon is ready: ${problem}`);
    });
    scheduler.start();
    rediscover();
    kumaSyncer.request();
    for (const service of services.values()) service.start();
  }
  await new Promise<void>((resolve) => {
    if (options.signal.aborted) resolve();
    else options.signal.addEventListener('abort', () => resolve(), { once: true });
  });

  deps.logger.info('stopping: aborting checks in flight');
  hangup.off('SIGHUP', onHangup);
  timers.clearTimeout(discoverTimer);
  discoverRun?.abort();
  await Promise.all([scheduler.stop(), kumaSyncer.stop(), ...[...services.values()].map((service) => service.stop())]);
  await reloading;
  await discovering;
  await endpoint?.close();
  // Pooled keep-alive connections (the S3 clients) close with the daemon.
  await Promise.all(options.checkers.map((checker) => checker.close?.()));
  deps.logger.info('daemon stopped');
  return EXIT_OK;
}

/** What the background services observed for a check, by signal; undefined when none did. */
function backgroundLookup(services: ReadonlyMap<string, BackgroundService>): (check: Check) => Seen['background'] {
  return (check) => {
    const seen: Record<string, unknown> = {};
    for (const [name, service] of services) {
      const observed = service.observe(check);
      if (observed !== undefined) seen[name] = observed;
    }
    return Object.keys(seen).length > 0 ? seen : undefined;
  };
}

/**
 * A shared listing serves the members of a group that start within this long of it: long
 * enough for a queue of host checks to drain, far shorter than any interval.
 */
export const sharedListingReuseMs = (check: Check) => Math.min(60_000, check.intervalMs / 2);

/**
 * /status: each result with `next_run`, when its check is next due (ISO; for a check running
 * now, when it became due; null for a schedule with no run left).
 */
function withNextRun(results: readonly CheckResult[], view: readonly EntryView[], clockToWallMs: number, unmonitored: readonly UnmonitoredRepository[]): string {
  const due = new Map(view.map((entry) => [entry.check.name, entry.nextDueAt]));
  return resultsJsonText(results, (result) => {
    const at = due.get(result.name);
    // The scheduler's clock is the wall clock in production; tests give it a fake one.
    return { next_run: at === undefined ? null : new Date(at + clockToWallMs).toISOString() };
  }, unmonitored);
}

/** Milliseconds on the scheduler's clock (fake timers in tests). */
function clockOf(options: DaemonOptions): () => number {
  return () => options.timers?.now() ?? options.now().getTime();
}

function buildDeps(config: Config, options: DaemonOptions, limits: Limits, primaries: PrimaryLooks, drills: DrillKeeper): RunDeps & { logger: Log; plan: Plan } {
  const redactor = redactorFor(options.env, config.secrets, options.secrets ?? []);
  const plan = planChecks([...config.checks, ...(config.unselectedPrimaries ?? [])], availableIn(options.checkers));
  return {
    // Hosts of one repository share one restic run per interval, as in a one-shot run.
    checkers: shareResticRuns(options.checkers, plan, { reuseMs: sharedListingReuseMs, now: clockOf(options) }),
    plan,
    pushTargets: options.pushTargets,
    now: options.now,
    env: options.env,
    logger: createLogger(redactor, options.logLevel ?? 'info', options.stderr),
    redactor,
    limits,
    primaries,
    drills,
  };
}
