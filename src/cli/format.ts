import { stringify } from 'yaml';
import { formatDuration } from '../duration.js';
import { showCheck } from '../config/keys.js';
import type { Config, Check } from '../config/types.js';
import type { Redactor } from '../redact.js';
import type { CheckResult } from '../run/result.js';
import { describePlan, planChecks, type Plan } from '../checkers/plan.js';

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
    result.latest ? `${result.latest.slice(0, 19).replace('T', ' ')}Z` : '-',
    result.age_seconds === null ? '-' : formatDuration(result.age_seconds * 1000),
    formatDuration(result.max_age_seconds * 1000, true),
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

/** A check as `validate` shows it: the declared keys' entries (config/keys.ts), with the plan's mode. */
function describe(check: Check, redactor: Redactor, plan: Plan): Record<string, unknown> {
  const planned = plan.of(check);
  return showCheck(check, { redact: (text) => redactor.redact(text), mode: describePlan(planned), kind: planned.kind });
}

/** "2 repositories", or "1 repository, 3 checks" when hosts fan a repository out. */
function countText(config: Config): string {
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const checks = config.checks.length;
  const repositories = new Set(config.checks.map((check) => check.repository)).size;
  const text = repositories === 1 ? '1 repository' : `${repositories} repositories`;
  return repositories === checks ? text : `${text}, ${plural(checks, 'check')}`;
}
