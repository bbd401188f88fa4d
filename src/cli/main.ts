import { readFileSync } from 'node:fs';
import type { Checker } from '../checkers/checker.js';
import { LocalChecker } from '../checkers/local/local.js';
import { RcloneChecker } from '../checkers/rclone/rclone.js';
import { BuiltinResticChecker } from '../checkers/reader/checker.js';
import { ResticChecker } from '../checkers/restic/restic.js';
import { S3Checker } from '../checkers/s3/checker.js';
import { EnvFileError } from '../config/env-file.js';
import { loadEnvFile } from '../config/env-file-load.js';
import { ConfigError } from '../config/errors.js';
import { loadConfig } from '../config/load.js';
import type { Check, Config } from '../config/types.js';
import { createLogger, type Sink } from '../log.js';
import type { PushTarget } from '../push/target.js';
import { HealthchecksTarget } from '../push/healthchecks.js';
import { UptimeKumaTarget } from '../push/uptime-kuma.js';
import { redactorFor, type Redactor } from '../redact.js';
import type { Status } from '../verdict.js';
import { EXIT_FAILED, EXIT_USAGE, exitCodeFor } from '../run/result.js';
import { resultsJsonText } from '../run/result-json.js';
import { runOnce } from '../run/run-once.js';
import { primaryOf } from '../run/primary-looks.js';
import { SIGNALS } from '../health/registry.js';
import { describeDiscovery, discoverRepositories, type Discovery } from '../discover/discover.js';
import type { Logger } from 'pino';
import { runDaemon, type HangupSource } from '../daemon/daemon.js';
import { notifyReady } from '../daemon/systemd-notify.js';
import { renderMetrics } from '../metrics/render.js';
import { talliesOf } from '../metrics/tally.js';
import { writeTextfile } from '../metrics/textfile.js';
import { parseCommandLine, USAGE, UsageError, type CommandLine } from './args.js';
import { formatValidation } from './format.js';
import { worstCaseCycleMs } from '../run/bounds.js';
import { createProgress, type Terminal } from './progress.js';
import { formatRunLine, formatUnmonitoredLine, type PushPreview } from './run-line.js';
import { formatStatusTable } from './status-table.js';
import { checksNamed, testPush } from './test-push.js';
import { kumaSync } from './kuma-sync.js';
import { chooseLogLevel } from '../log-level.js';
import { printable } from '../text.js';

export interface Io {
  stdout: Sink & { isTTY?: boolean };
  /** isTTY: a terminal shows a live count of checks done (run, status). */
  stderr: Terminal;
  env: Readonly<Record<string, string | undefined>>;
  now: () => Date;
  signal: AbortSignal;
  /** daemon: where SIGHUP comes from (default: the process itself). */
  hangup?: HangupSource;
  checkers?: readonly Checker[];
  pushTargets?: readonly PushTarget[];
  /** daemon: tells the supervisor it is ready (default: systemd's READY=1 when NOTIFY_SOCKET is set). */
  ready?: () => Promise<string | undefined>;
}

/** The whole CLI as a function: argv and the outside world in, an exit code out. */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  let commandLine: CommandLine;
  try {
    commandLine = parseCommandLine(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr.write(`restic-monitor: ${error.message}\nRun "restic-monitor --help" for usage.\n`);
    return EXIT_USAGE;
  }
  if (commandLine.command === 'help') {
    io.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (commandLine.command === 'version') {
    io.stdout.write(`restic-monitor ${version()}\n`);
    return 0;
  }

  // The env file comes first: it may hold what ${VAR} in the config, restic and fast mode read.
  let envFileSecrets: string[];
  try {
    const loaded = await loadEnvFile(commandLine.envFile, io.env);
    io = { ...io, env: loaded.env };
    envFileSecrets = loaded.secrets;
  } catch (error) {
    if (!(error instanceof EnvFileError)) throw error;
    io.stderr.write(`restic-monitor: ${error.message}\n`);
    return EXIT_USAGE;
  }

  // After the env file, which may set LOG_LEVEL. One-shot commands print their own results:
  // their log shows only what those do not (warn); the daemon has nothing but its log (info).
  const levelChoice = chooseLogLevel(commandLine.logLevel, io.env.LOG_LEVEL, commandLine.command === 'daemon' ? 'info' : 'warn');
  if ('error' in levelChoice) {
    io.stderr.write(`restic-monitor: ${levelChoice.error}\n`);
    return EXIT_USAGE;
  }
  const logLevel = levelChoice.level;

  const path = commandLine.config ?? io.env.RESTIC_MONITOR_CONFIG ?? 'config.yaml';
  let config: Config;
  try {
    config = selectChecks(await loadConfig(path, io.env), commandLine.only);
    if (commandLine.target !== undefined) config = { ...config, checks: checksNamed(config.checks, commandLine.target) };
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`restic-monitor: ${error.message}\n`);
      return EXIT_USAGE;
    }
    if (!(error instanceof ConfigError)) throw error;
    const redactor = redactorFor(io.env, envFileSecrets);
    // One problem per line, whatever a key or value quoted in it holds.
    const lines = error.problems.map((problem) => `  ${printable(redactor.redact(problem))}`).join('\n');
    io.stderr.write(`restic-monitor: config error in ${path}:\n${lines}\n`);
    return EXIT_USAGE;
  }
  let redactor = redactorFor(io.env, config.secrets, envFileSecrets);
  const color = Boolean(io.stdout.isTTY) && !io.env.NO_COLOR;

  if (commandLine.command === 'validate') {
    // The whole text passes the redactor: any field may hold a ${VAR} value.
    // kuma: each check's monitor as sync would make it, its interval from the worst-case cycle.
    const targets = io.pushTargets ?? [new UptimeKumaTarget(), new HealthchecksTarget()];
    io.stdout.write(`${redactor.redact(formatValidation(config, redactor, commandLine.json, (check) => worstCaseCycleMs(check, targets)))}\n`);
    // On stderr, so that the YAML or JSON on stdout stays what it was; the config is still valid.
    for (const warning of config.warnings ?? []) io.stderr.write(`restic-monitor: warning: ${printable(redactor.redact(warning))}\n`);
    return 0;
  }

  // One reader for the process: a daemon keeps each repository's key between checks.
  const checkers = io.checkers ?? [new BuiltinResticChecker({ binary: new ResticChecker() }), new S3Checker(), new LocalChecker(), new RcloneChecker()];
  const pushTargets = io.pushTargets ?? [new UptimeKumaTarget(), new HealthchecksTarget()];
  if (commandLine.command === 'test-push') {
    const { lines, ok } = await testPush(config.checks, { pushTargets, redactor, signal: io.signal });
    io.stdout.write(lines.map((line) => `${line}\n`).join(''));
    return ok ? 0 : EXIT_FAILED;
  }
  if (commandLine.command === 'kuma-sync') {
    return kumaSync(config, {
      dryRun: commandLine.dryRun,
      prune: commandLine.prune ?? 'off',
      partial: commandLine.only.length > 0,
      checkers,
      pushTargets,
      env: io.env,
      envFileSecrets,
      now: io.now,
      signal: io.signal,
      stdout: io.stdout,
      stderr: io.stderr,
    });
  }
  if (commandLine.command === 'daemon') {
    const load = async () => selectChecks(await loadConfig(path, io.env), commandLine.only);
    return runDaemon({
      config,
      load,
      checkers,
      pushTargets,
      env: io.env,
      secrets: envFileSecrets,
      now: io.now,
      stderr: io.stderr,
      logLevel,
      signal: io.signal,
      ...(io.hangup && { hangup: io.hangup }),
      ready: io.ready ?? (() => notifyReady({ env: io.env, signal: io.signal })),
    });
  }

  const push = commandLine.command === 'run' && !commandLine.dryRun;
  // discover: lists its locations first; what it found joins the checks. `--only` picks
  // configured checks by name, so it lists nothing.
  let discovery: Discovery | undefined;
  if (config.discover !== undefined && commandLine.only.length === 0) {
    const redactNow = redactor;
    discovery = await discoverRepositories(config, { checkers, env: io.env, now: io.now, signal: io.signal, redact: (text) => redactNow.redact(text) });
    config = { ...config, checks: [...config.checks, ...discovery.checks] };
    redactor = redactorFor(io.env, [...config.secrets, ...discovery.secrets], envFileSecrets);
  }
  // Log lines pass through the progress count, which clears itself before each and redraws after.
  const progress = createProgress(io.stderr, config.checks.length);
  const logger = createLogger(redactor, logLevel, progress.sink);
  if (discovery) logDiscovery(logger, discovery);
  // A signal with a background service is the daemon's alone (a restic check per cron run
  // would cost more than the run): said once, naming its repositories.
  for (const signal of SIGNALS) {
    const background = signal.background;
    if (background === undefined) continue;
    const repositories = new Set(config.checks.filter((check) => background.applies(check)).map((check) => check.repository));
    if (repositories.size > 0) logger.info({ repositories: [...repositories] }, `${signal.name}: not checked by ${commandLine.command}: ${background.oneShot}`);
  }
  let results;
  try {
    results = await runOnce(
      config,
      {
        checkers,
        pushTargets,
        now: io.now,
        env: io.env,
        logger,
        redactor,
      },
      { push, printed: true, signal: io.signal, onChecked: () => progress.tick() },
    );
  } finally {
    progress.done();
  }
  // Down rows of discover (a location not listed, a repository defaults cannot check) follow the checks.
  results = [...results, ...(discovery?.failures ?? [])];
  const unmonitored = discovery?.unmonitored ?? [];
  if (commandLine.command === 'status') {
    io.stdout.write(commandLine.json ? resultsJsonText(results, undefined, unmonitored) : `${formatStatusTable(results, { color }, unmonitored)}\n`);
  } else {
    const previews = commandLine.dryRun ? previewPushes(config, pushTargets, redactor) : undefined;
    for (const result of results) io.stdout.write(`${formatRunLine(result, { color }, previews?.(result.name, result.status))}\n`);
    for (const repository of unmonitored) io.stdout.write(`${formatUnmonitoredLine(repository, { color })}\n`);
  }
  // A run cut short by a signal would write every repository as down: keep the last file.
  if (commandLine.textfile !== undefined && !io.signal.aborted) {
    try {
      await writeTextfile(commandLine.textfile, renderMetrics(talliesOf(results), io.now(), discovery ? { unmonitored } : {}));
    } catch (error) {
      io.stderr.write(`restic-monitor: cannot write ${commandLine.textfile}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}\n`);
      return EXIT_FAILED;
    }
  }
  return exitCodeFor(results, unmonitored);
}

/** run --dry-run: where each check's verdict would have gone, secrets masked. */
function previewPushes(config: Config, pushTargets: readonly PushTarget[], redactor: Redactor) {
  const byName = new Map(config.checks.map((check) => [check.name, check]));
  return (name: string, status: Status): PushPreview[] => {
    const check = byName.get(name)!;
    return pushTargets
      .filter((target) => target.wants(check))
      .map((target) => ({ target: target.kind, destination: redactor.redact(target.destination(check, status)) }));
  };
}

/** One line for the discovery, one error per location that could not be listed. */
function logDiscovery(logger: Logger, discovery: Discovery): void {
  // `run` and `status` print each failure as a row: the log repeats it at info, as for checks.
  logger.info(describeDiscovery(discovery), 'discovery done');
}

function selectChecks(config: Config, only: readonly string[]): Config {
  if (only.length === 0) return config;
  const known = new Set(config.checks.map((check) => check.name));
  // "--only fleet" picks every host check of a repository that fans out (fleet/web1, ...).
  const picks = (name: string, check: Check) => check.name === name || check.repository === name;
  const missing = only.filter((name) => !config.checks.some((check) => picks(name, check)));
  if (missing.length > 0) {
    throw new UsageError(missing.map((name) => `--only ${name}: no such repository (known: ${[...known].join(', ')})`).join('\n'));
  }
  const checks = config.checks.filter((check) => only.some((name) => picks(name, check)));
  // A selected copy still needs its primary's look: looked at, not pushed or shown.
  const selected = new Set(checks.map((check) => check.name));
  const wanted = new Set(checks.flatMap((check) => primaryOf(check) ?? []).filter((name) => !selected.has(name)));
  const unselectedPrimaries = config.checks.filter((check) => wanted.has(check.name));
  // --only names configured checks: no discovery (run, status and the daemon alike).
  const { discover: _notWithOnly, ...rest } = config;
  return { ...rest, checks, ...(unselectedPrimaries.length > 0 && { unselectedPrimaries }) };
}

// The bundle (scripts/bundle.mjs) has no package.json beside it: esbuild writes the version in.
declare const RESTIC_MONITOR_VERSION: string | undefined;

function version(): string {
  if (typeof RESTIC_MONITOR_VERSION === 'string') return RESTIC_MONITOR_VERSION;
  const manifest = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  return manifest.version;
}
