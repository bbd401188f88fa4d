import { stringify } from 'yaml';
import { formatDuration } from '../duration.js';
import { isPlainEnvName } from '../config/plain-env.js';
import { DEFAULTS, type Config, type Check } from '../config/types.js';
import { MASK, type Redactor } from '../redact.js';
import type { CheckResult } from '../run/result.js';
import { describePlan, planChecks, type Plan } from '../checkers/plan.js';
import { formatBytes, formatPercent, readSize } from '../config/sizes.js';

export interface Style {
  color: boolean;
}

const paint = (style: Style, code: number, text: string) => (style.color ? `\u001b[${code}m${text}\u001b[0m` : text);
const stateText = (style: Style, status: string) => paint(style, status === 'up' ? 32 : 31, status.toUpperCase());

/** `run`: one line per repository, with what happened to its push. */
export function formatRunLine(result: CheckResult, style: Style): string {
  const pushes = result.pushes.map((push) => (push.delivered ? `pushed to ${push.target}` : `push to ${push.target} failed: ${push.error}`));
  const tail = pushes.length === 0 ? 'not pushed (no push target)' : pushes.join('; ');
  return `${stateText(style, result.status).padEnd(style.color ? 13 : 4)} ${result.name}: ${result.message} [${tail}]`;
}

/** `status`: an aligned table; ANSI colour only when `style.color`. */
export function formatStatusTable(results: readonly CheckResult[], style: Style): string {
  const header = ['REPOSITORY', 'MODE', 'LATEST SNAPSHOT', 'AGE', 'MAX AGE', 'STATE', 'MESSAGE'];
  const rows = results.map((result) => [
    result.name,
    result.mode,
    result.latest ? `${result.latest.toISOString().slice(0, 19).replace('T', ' ')}Z` : '-',
    result.ageMs === null ? '-' : formatDuration(result.ageMs),
    formatDuration(result.maxAgeMs, true),
    result.status.toUpperCase(),
    result.message,
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: string[], colorState: boolean) =>
    cells
      .map((cell, column) => {
        const padded = column === cells.length - 1 ? cell : cell.padEnd(widths[column]!);
        return colorState && column === 5 ? paint(style, cell === 'UP' ? 32 : 31, padded) : padded;
      })
      .join('  ')
      .trimEnd();
  return [line(header, false), ...rows.map((row) => line(row, true))].join('\n');
}

/** `validate`: the expanded repositories as YAML, secrets masked, ready to eyeball. */
export function formatValidation(config: Config, redactor: Redactor, json: boolean): string {
  const plan = planChecks(config.checks);
  const repositories = Object.fromEntries(config.checks.map((repository) => [repository.name, describe(repository, redactor, plan)]));
  const view = { concurrency: config.concurrency, ...(config.listen && { listen: config.listen }), repositories };
  if (json) return JSON.stringify(view, null, 2);
  return `${stringify(view).trimEnd()}\n# config OK: ${countText(config)}`;
}

function describe(repository: Check, redactor: Redactor, plan: Plan): Record<string, unknown> {
  return {
    url: redactor.redact(repository.url),
    // The run's own decision (plan.ts), with the reason when fast mode was asked for and restic serves.
    mode: describePlan(plan.of(repository)),
    // Shown when it is not the default: which reader a restic-mode check will use.
    ...(repository.reader !== undefined && repository.reader !== DEFAULTS.reader && plan.of(repository).kind === 'restic' && { reader: repository.reader }),
    max_age: formatDuration(repository.maxAgeMs, true),
    timeout: formatDuration(repository.timeoutMs, true),
    push: repository.pushUrl && repository.pushToken ? `${redactor.redact(repository.pushUrl.replace(/\/*$/, '/'))}${MASK}` : null,
    ...(repository.pingUrl && { ping: redactor.redact(repository.pingUrl) }),
    ...(repository.host && { host: repository.host }),
    ...(repository.tags.length > 0 && { tags: repository.tags }),
    ...(repository.paths.length > 0 && { paths: repository.paths }),
    ...(repository.signals?.minFiles !== undefined && { min_files: repository.signals.minFiles }),
    ...(repository.signals?.minBytes !== undefined && { min_size: showSize(repository.signals.minBytes) }),
    ...(repository.signals?.maxShrink !== undefined && { max_shrink: formatPercent(repository.signals.maxShrink) }),
    ...(repository.signals?.minSnapshots !== undefined && { min_snapshots: repository.signals.minSnapshots }),
    ...(repository.caCert && { ca_cert: repository.caCert }),
    ...(repository.cacheDir && { cache_dir: repository.cacheDir }),
    extra_env: Object.fromEntries(Object.entries(repository.extraEnv).map(([key, value]) => [key, isPlainEnvName(key) ? value : MASK])),
  };
}

/** "2 repositories", or "1 repository, 3 checks" when hosts fan a repository out. */
function countText(config: Config): string {
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const checks = config.checks.length;
  const repositories = new Set(config.checks.map((check) => check.repository)).size;
  const text = repositories === 1 ? '1 repository' : `${repositories} repositories`;
  return repositories === checks ? text : `${text}, ${plural(checks, 'check')}`;
}

/** "10MiB" where that is exact, else the number of bytes (1.5GB is not a whole number of MiB). */
function showSize(bytes: number): string | number {
  const shown = formatBytes(bytes).replace(' ', '');
  const back = readSize(shown);
  return 'value' in back && back.value === bytes ? shown : bytes;
}
