import { readFileSync } from 'node:fs';
import type { Checker } from '../checkers/checker.js';
import { defaultCheckers } from '../checkers/deferred.js';
import { EnvFileError } from '../config/env-file.js';
import { loadEnvFile } from '../config/env-file-load.js';
import { ConfigError } from '../config/errors.js';
import { loadConfig } from '../config/load.js';
import type { Check, Config } from '../config/types.js';
import type { Sink } from '../log.js';
import { HealthchecksTarget } from '../push/healthchecks.js';
import type { PushTarget } from '../push/target.js';
import { UptimeKumaTarget } from '../push/uptime-kuma.js';
import { redactorFor } from '../redact.js';
import { EXIT_FAILED, EXIT_USAGE } from '../run/result.js';
import { primaryOf } from '../run/primary-looks.js';
import type { HangupSource } from '../daemon/daemon.js';
import { parseCommandLine, USAGE, UsageError, type CommandLine } from './args.js';
import type { Terminal } from './progress.js';
import { checksNamed, testPush } from './test-push.js';
import { runCommand } from './run-command.js';
import { chooseLogLevel } from '../log-level.js';
import { printable } from '../text.js';

// validate's, kuma sync's and the daemon's code is imported when that command runs (`await
// import`), the checkers when they first check (checkers/deferred.ts), the HTTP client by the
// first request: a one-shot command loads little more than it uses, and loading is most of
// its start-up time (bench/RESULTS.md, cold start). run and status (the commands a timer
// starts) are imported with this module: in the bundle each import() is a chunk of its own,
// and a file to read.

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
  const redactor = redactorFor(io.env, config.secrets, envFileSecrets);
  const color = Boolean(io.stdout.isTTY) && !io.env.NO_COLOR;

  if (commandLine.command === 'validate') {
    // The whole text passes the redactor: any field may hold a ${VAR} value.
    const [{ formatValidation }, { worstCaseCycleMs }] = await Promise.all([import('./format.js'), import('../run/bounds.js')]);
    // kuma: each check's monitor as sync would make it, its interval from the worst-case cycle.
    const targets = io.pushTargets ?? defaultPushTargets();
    io.stdout.write(`${redactor.redact(formatValidation(config, redactor, commandLine.json, (check) => worstCaseCycleMs(check, targets)))}\n`);
    // On stderr, so that the YAML or JSON on stdout stays what it was; the config is still valid.
    for (const warning of config.warnings ?? []) io.stderr.write(`restic-monitor: warning: ${printable(redactor.redact(warning))}\n`);
    return 0;
  }

  // One reader for the process: a daemon keeps each repository's key between checks.
  const checkers = io.checkers ?? defaultCheckers({ daemon: commandLine.command === 'daemon' });
  // status shows and pushes nothing: it needs no push target.
  const pushTargets = io.pushTargets ?? (commandLine.command === 'status' ? [] : defaultPushTargets());
  if (commandLine.command === 'test-push') {
    const { lines, ok } = await testPush(config.checks, { pushTargets, redactor, signal: io.signal });
    io.stdout.write(lines.map((line) => `${line}\n`).join(''));
    return ok ? 0 : EXIT_FAILED;
  }
  if (commandLine.command === 'kuma-sync') {
    const { kumaSync } = await import('./kuma-sync.js');
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
    const [{ runDaemon }, { notifyReady }] = await Promise.all([import('../daemon/daemon.js'), import('../daemon/systemd-notify.js')]);
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
  return runCommand(commandLine, config, { io, checkers, pushTargets, redactor, envFileSecrets, logLevel, color });
}

function defaultPushTargets(): PushTarget[] {
  return [new UptimeKumaTarget(), new HealthchecksTarget()];
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
