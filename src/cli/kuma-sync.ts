import type { Checker } from '../checkers/checker.js';
import type { Config } from '../config/types.js';
import { discoverRepositories } from '../discover/discover.js';
import { KumaError } from '../kuma/api.js';
import type { PruneMode } from '../kuma/plan.js';
import { formatSync, syncFailed } from '../kuma/report.js';
import { loginProblem, syncKuma } from '../kuma/run-sync.js';
import type { PushTarget } from '../push/target.js';
import { redactorFor, type Redactor } from '../redact.js';
import { EXIT_FAILED, EXIT_USAGE } from '../run/result.js';
import { worstCaseCycleMs } from '../run/bounds.js';
import type { Sink } from '../log.js';
import { printable } from '../text.js';

export interface KumaSyncOptions {
  dryRun: boolean;
  prune: PruneMode;
  /** --only picked some checks: the monitors of the others are left out of the plan. */
  partial: boolean;
  checkers: readonly Checker[];
  pushTargets: readonly PushTarget[];
  env: Readonly<Record<string, string | undefined>>;
  envFileSecrets: readonly string[];
  now: () => Date;
  signal: AbortSignal;
  stdout: Sink;
  stderr: Sink;
}

/**
 * `restic-monitor kuma sync`: one push monitor in Kuma for every check that pushes there
 * (configured, host and discovered checks), made or brought in line; `--prune` pauses (or
 * deletes) the marked monitors whose check is gone; `--dry-run` prints the plan and changes
 * nothing. Exit 0 in sync, 1 when something could not be done, 2 for a config that cannot sync.
 */
export async function kumaSync(initial: Config, options: KumaSyncOptions): Promise<number> {
  let config = initial;
  const kuma = config.kuma;
  const usage = (message: string) => {
    options.stderr.write(`restic-monitor: ${message}\n`);
    return EXIT_USAGE;
  };
  if (!kuma) return usage('kuma sync needs a kuma: block in the config (url, username, password)');
  const problem = loginProblem(kuma);
  if (problem !== undefined) return usage(problem);

  let redactor: Redactor = redactorFor(options.env, config.secrets, options.envFileSecrets);
  let discoveryIncomplete = false;
  if (config.discover !== undefined) {
    const redactNow = redactor;
    const discovery = await discoverRepositories(config, { checkers: options.checkers, env: options.env, now: options.now, signal: options.signal, redact: (text) => redactNow.redact(text) });
    config = { ...config, checks: [...config.checks, ...discovery.checks] };
    redactor = redactorFor(options.env, [...config.secrets, ...discovery.secrets], options.envFileSecrets);
    discoveryIncomplete = discovery.failed.size > 0;
    for (const [where, url] of discovery.failed) options.stderr.write(`restic-monitor: ${where}: ${url} could not be listed: its repositories may be missing from this sync\n`);
  }
  // Monitor names and messages come from Kuma too: each line stays one line.
  const say = (text: string) => options.stdout.write(redactor.redact(text).split('\n').map(printable).join('\n'));
  let result;
  try {
    result = await syncKuma({
      checks: config.checks,
      kuma,
      cycleMs: (check) => worstCaseCycleMs(check, options.pushTargets),
      prune: options.prune,
      partial: options.partial,
      discoveryIncomplete,
      dryRun: options.dryRun,
    });
  } catch (error) {
    if (!(error instanceof KumaError)) throw error;
    options.stderr.write(`restic-monitor: ${printable(redactor.redact(error.message))}\n`);
    return EXIT_FAILED;
  }
  say(`Uptime Kuma ${result.version} at ${kuma.url}, as ${kuma.username}; monitors tagged ${kuma.tag}\n`);
  if (kuma.runIntervalMs === undefined && result.desired > 0) {
    say("heartbeat intervals follow each check's daemon interval or schedule: for runs from a timer or cron, set kuma.run_interval\n");
  }
  say(formatSync(result.outcomes, { dryRun: options.dryRun, tag: kuma.tag }));
  return syncFailed(result.outcomes) || discoveryIncomplete ? EXIT_FAILED : 0;
}
