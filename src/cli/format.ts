import { Document, visit } from 'yaml';
import { showCheck } from '../config/keys.js';
import type { Config, Check } from '../config/types.js';
import { MASK, type Redactor } from '../redact.js';
import type { KumaSettings } from '../config/kuma.js';
import { desiredMonitors } from '../kuma/desired.js';
import { formatDuration } from '../duration.js';
import { describePlan, planChecks, type Plan } from '../checkers/plan.js';
import { hasUnsafe, printable } from '../text.js';

/** `validate`: the expanded repositories as YAML, secrets masked, ready to eyeball. */
export function formatValidation(config: Config, redactor: Redactor, json: boolean, cycleMs: (check: Check) => number = () => 0): string {
  const plan = planChecks(config.checks);
  // With a kuma: block, what `kuma sync` would make of each check, from the config alone.
  const monitors = config.kuma ? kumaView(config.checks, config.kuma, cycleMs) : undefined;
  const repositories = Object.fromEntries(
    config.checks.map((repository) => [repository.name, { ...describe(repository, redactor, plan), ...(monitors && { kuma: monitors.get(repository.name) }) }]),
  );
  // discover: shown as written (secrets masked), never listed: validate reads no network.
  const discover = config.discover?.locations.map((location) => ({ url: redactor.redact(location.url), check: location.check }));
  const kuma = config.kuma && showKuma(config.kuma);
  const view = { concurrency: config.concurrency, ...(config.listen && { listen: config.listen }), ...(kuma && { kuma }), repositories, ...(discover && { discover }) };
  if (json) return JSON.stringify(view, null, 2);
  const listed = discover ? `; discover: ${discover.length === 1 ? '1 location' : `${discover.length} locations`}, listed by run, status and daemon, not by validate` : '';
  return `${safeYaml(view).trimEnd()}\n# config OK: ${countText(config)}${listed}`;
}

/**
 * YAML in which no value or key can start a line of its own or steer the terminal: a string
 * holding a control or line-breaking character is double-quoted, where YAML escapes mean the
 * same text (`"x\nUP ..."`), instead of a block scalar spread over several lines.
 */
function safeYaml(view: unknown): string {
  const doc = new Document(view);
  visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value === 'string' && hasUnsafe(node.value)) node.type = 'QUOTE_DOUBLE';
    },
  });
  // yaml escapes C0 controls in double quotes but writes U+2028, NEL and the like as they
  // are; those only occur inside double quotes now, where \u2028 and \x85 are escapes too.
  return doc.toString().split('\n').map(printable).join('\n');
}

/** The `kuma:` block as `validate` shows it: what sync will use, secrets as set or not. */
function showKuma(kuma: KumaSettings): Record<string, unknown> {
  const given = (value: unknown) => (value === undefined ? undefined : MASK);
  const shown = {
    url: kuma.url,
    username: kuma.username,
    password: given(kuma.password),
    totp_secret: given(kuma.totpSecret),
    token_secret: given(kuma.tokenSecret),
    monitor_name: kuma.monitorName,
    tag: kuma.tag,
    run_interval: kuma.runIntervalMs === undefined ? undefined : formatDuration(kuma.runIntervalMs, true),
    grace: kuma.graceMs === undefined ? undefined : formatDuration(kuma.graceMs, true),
    timeout: formatDuration(kuma.timeoutMs, true),
  };
  return Object.fromEntries(Object.entries(shown).filter(([, value]) => value !== undefined));
}

/** Each check's Kuma monitor (name and heartbeat interval; the token is never shown), or why it has none. */
function kumaView(checks: readonly Check[], kuma: KumaSettings, cycleMs: (check: Check) => number): Map<string, Record<string, string>> {
  const { monitors, skipped } = desiredMonitors(checks, kuma, cycleMs);
  const view = new Map<string, Record<string, string>>();
  for (const monitor of monitors) view.set(monitor.check, { monitor: monitor.name, heartbeat_interval: formatDuration(monitor.intervalSeconds * 1000, true) });
  for (const entry of skipped) view.set(entry.check, { no_monitor: entry.reason });
  return view;
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
  if (checks === 0) return 'no repositories of its own';
  const repositories = new Set(config.checks.map((check) => check.repository)).size;
  const text = repositories === 1 ? '1 repository' : `${repositories} repositories`;
  return repositories === checks ? text : `${text}, ${plural(checks, 'check')}`;
}
