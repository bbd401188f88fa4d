// integrity: `restic check --no-lock` per repository on a schedule of its own, one at a time
// in the whole daemon (queue.ts, service.ts). A failed check makes the repository's checks
// down until one passes, and leads their message: a damaged repository matters most. Its
// result is a field of its own (`integrity` in status --json), not one of `signals`.
import { unknownKeyMessage } from '../config/errors.js';
import { isMapping } from '../config/mapping.js';
import type { Check } from '../config/types.js';
import type { ReadContext, SignalModule } from '../health/signal.js';
import { describeIntegrity, INTEGRITY_KEYS, readIntegrity, type IntegritySettings } from './settings.js';
import { startIntegrityChecks } from './service.js';
import { integrityFailure, type IntegrityStatus } from './status.js';

const NAME = 'integrity';

export interface IntegrityFields {
  /** `integrity:` (daemon only): restic check on a schedule of its own; unset when not configured. */
  integrity?: IntegritySettings;
}

export interface IntegrityResultFields {
  /** Daemon, `integrity:` set: the repository's last integrity check as this check judged it. */
  integrity?: IntegrityStatus;
}

export interface IntegrityJson {
  /** Daemon, `integrity:` set: the last integrity check (ok and checked_at null before the first). */
  integrity?: { ok: boolean | null; checked_at: string | null; message: string };
}

const seconds = (time: Date) => time.getTime() / 1000;

export const integrity: SignalModule<'integrity'> = {
  name: NAME,
  keys: {
    integrity: {
      value: { type: 'map', switchable: true },
      places: ['repository', 'defaults'],
      notInHost: 'integrity is checked once per repository: set it on the repository, and its hosts share the result',
      shownDefault: 'none',
      doc: 'daemon only: `restic check --no-lock` every `interval` (default `1w`), one repository at a time, `read_data_subset` (`5%`, `1/10`, `500MiB`) to read data too, killed after `timeout` (default `6h`); a failed check makes the repository down until one passes; `false` switches off the one from `defaults`; see [Health signals](health-signals.md)',
      show: (check) => (check.integrity === undefined ? undefined : describeIntegrity(check.integrity)),
    },
  },
  observes: ['background'],
  listed: false,
  read(context) {
    const settings = readIntegrityKey(context);
    return settings === undefined ? undefined : { check: { integrity: settings } };
  },
  configured: () => false,
  judge(_limits, seen, now) {
    const failure = integrityFailure(seen?.background?.[NAME] as IntegrityStatus | undefined, now);
    return failure === undefined ? undefined : { ok: false, failure };
  },
  report(_check, _observed, _startedAt, background) {
    const status = background?.[NAME] as IntegrityStatus | undefined;
    return status === undefined ? {} : { integrity: status };
  },
  json: (result) => (result.integrity ? { integrity: { ok: result.integrity.ok, checked_at: result.integrity.checkedAt?.toISOString() ?? null, message: result.integrity.message } } : {}),
  metrics: [
    {
      name: 'integrity_ok',
      help: "Whether the repository's last integrity check (restic check, integrity: set) found no errors (1) or failed (0).",
      value: (result) => (result.integrity?.ok == null ? undefined : result.integrity.ok ? 1 : 0),
    },
    {
      name: 'integrity_checked_timestamp_seconds',
      help: "When the repository's last integrity check started, seconds since the epoch.",
      value: (result) => (result.integrity?.checkedAt ? seconds(result.integrity.checkedAt) : undefined),
    },
  ],
  // Only beside a snapshot the check saw, as the other signals: a failed check or none found
  // has an alert of its own, and one broken check raises one alert.
  held: (result) => (result.latest === null ? undefined : result.integrity?.ok),
  background: {
    applies: (check: Check) => check.integrity !== undefined,
    oneShot: 'the daemon runs restic check',
    start: startIntegrityChecks,
  },
};

/**
 * defaults' sub-keys with the repository's laid over them, key by key (as extra_env merges),
 * each reported where it was written.
 */
function readIntegrityKey(context: ReadContext): IntegritySettings | undefined {
  const layers = context.layers('integrity');
  // `integrity: false` on the repository switches off the one set in defaults.
  if (layers.own === false) return undefined;
  const ownMap = isMapping(layers.own) ? layers.own : undefined;
  const defaultMap = isMapping(layers.defaults) ? layers.defaults : undefined;
  if (ownMap === undefined && defaultMap === undefined) return undefined;
  const where = (key: string) => (ownMap !== undefined && key in ownMap ? context.where('integrity') : 'defaults');
  const merged = { ...defaultMap, ...ownMap };
  let known = true;
  for (const key of Object.keys(merged)) {
    if ((INTEGRITY_KEYS as readonly string[]).includes(key)) continue;
    known = false;
    context.fail(unknownKeyMessage(`${where(key)}.integrity`, key, INTEGRITY_KEYS));
  }
  const value = (key: string) => {
    const raw = merged[key];
    return typeof raw === 'string' ? context.expand(`${where(key)}.integrity.${key}`, raw) : undefined;
  };
  const settings = readIntegrity(value, where, context.fail);
  return known ? settings : undefined;
}
