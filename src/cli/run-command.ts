import type { LevelWithSilent } from 'pino';
import type { Checker } from '../checkers/checker.js';
import type { Config } from '../config/types.js';
import type { Discovery } from '../discover/discover.js';
import { createLogger } from '../log.js';
import type { PushTarget } from '../push/target.js';
import { redactorFor, type Redactor } from '../redact.js';
import { SIGNALS } from '../health/registry.js';
import { EXIT_FAILED, exitCodeFor } from '../run/result.js';
import { resultsJsonText } from '../run/result-json.js';
import { runOnce } from '../run/run-once.js';
import type { Status } from '../verdict.js';
import type { CommandLine } from './args.js';
import type { Io } from './main.js';
import { createProgress } from './progress.js';
import { formatRunLine, formatUnmonitoredLine, type PushPreview } from './run-line.js';
import { formatStatusTable } from './status-table.js';

export interface RunCommandDeps {
  io: Io;
  checkers: readonly Checker[];
  pushTargets: readonly PushTarget[];
  redactor: Redactor;
  envFileSecrets: readonly string[];
  logLevel: LevelWithSilent;
  color: boolean;
}

/** `run` and `status`: every check once; `run` pushes the verdicts, `status` shows them. */
export async function runCommand(commandLine: CommandLine, initial: Config, deps: RunCommandDeps): Promise<number> {
  const { io, checkers, pushTargets, envFileSecrets, logLevel, color } = deps;
  let config = initial;
  let redactor = deps.redactor;
  const push = commandLine.command === 'run' && !commandLine.dryRun;
  // discover: lists its locations first; what it found joins the checks. `--only` picks
  // configured checks by name, so it lists nothing.
  let discovery: Discovery | undefined;
  let described: ReturnType<typeof import('../discover/discover.js').describeDiscovery> | undefined;
  if (config.discover !== undefined && commandLine.only.length === 0) {
    const redactNow = redactor;
    const { describeDiscovery, discoverRepositories } = await import('../discover/discover.js');
    const found = await discoverRepositories(config, { checkers, env: io.env, now: io.now, signal: io.signal, redact: (text: string) => redactNow.redact(text) });
    discovery = found;
    described = describeDiscovery(found);
    config = { ...config, checks: [...config.checks, ...found.checks] };
    redactor = redactorFor(io.env, [...config.secrets, ...found.secrets], envFileSecrets);
  }
  // Log lines pass through the progress count, which clears itself before each and redraws after.
  const progress = createProgress(io.stderr, config.checks.length);
  const logger = createLogger(redactor, logLevel, progress.sink);
  // `run` and `status` print each failure as a row: the log repeats it at info, as for checks.
  if (described) logger.info(described, 'discovery done');
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
    if (commandLine.json) io.stdout.write(resultsJsonText(results, undefined, unmonitored));
    else io.stdout.write(`${await formatStatusTable(results, { color }, unmonitored)}\n`);
  } else {
    const previews = commandLine.dryRun ? previewPushes(config, pushTargets, redactor) : undefined;
    for (const result of results) io.stdout.write(`${formatRunLine(result, { color }, previews?.(result.name, result.status))}\n`);
    for (const repository of unmonitored) io.stdout.write(`${formatUnmonitoredLine(repository, { color })}\n`);
  }
  // A run cut short by a signal would write every repository as down: keep the last file.
  if (commandLine.textfile !== undefined && !io.signal.aborted) {
    try {
      const [{ writeTextfile }, { renderMetrics }, { talliesOf }] = await Promise.all([import('../metrics/textfile.js'), import('../metrics/render.js'), import('../metrics/tally.js')]);
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

