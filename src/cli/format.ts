import { stringify } from 'yaml';
import { formatDuration } from '../duration.js';
import { isPlainEnvName } from '../config/plain-env.js';
import { DEFAULTS, type Config, type Check } from '../config/types.js';
import { MASK, type Redactor } from '../redact.js';
import { describePlan, planChecks, type Plan } from '../checkers/plan.js';

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
