// One repository's keys: defaults merged, templates and ${VAR} expanded, values validated.
import { longestGapMs, processTimeZone } from '../cron.js';
import { MAX_TIMER_MS } from '../abort/deadline.js';
import { formatDuration, longestTimerText, readDuration } from '../duration.js';
import { expandTemplate, TemplateError } from '../template.js';
import { passwordInUrl, redactUrl } from '../redact.js';
import { isS3Url, parseS3Url } from '../urls/s3.js';
import { rcloneSecrets } from '../urls/rclone.js';
import { KUMA_SLOWEST_ANSWER_MS, maskPushToken, splitPushUrl } from '../push/kuma-push-url.js';
import { expandEnvRefs, EnvRefError } from './env-refs.js';
import type { CheckEntry } from './hosts.js';
import type { Env } from './parse.js';
import { isPlainEnvName } from './plain-env.js';
import { KEYS, type DeclaredFields, type KeyDeclaration } from './keys.js';
import { isMapping } from './schema.js';
import { JUDGED, signalNames, type SignalLimits } from '../health/registry.js';
import type { ReadContext, SignalModule } from '../health/signal.js';
import type { Check, ModeChoice, ReaderChoice } from './types.js';
import { isKumaPushBase, type KumaSettings } from './kuma.js';
import { derivePushToken } from '../kuma/push-token.js';

/** The declared keys read the same way for every key of their type, into their Check field. */
const PLAIN = (Object.entries(KEYS) as [string, KeyDeclaration][]).filter(([, key]) => key.field !== undefined);
export const READERS: readonly ReaderChoice[] = KEYS.reader.value.values;
// Unreserved URL characters only: anything else would change the push URL's meaning.
const TOKEN = /^[A-Za-z0-9._~-]+$/;

/**
 * A string value with templates and ${VAR} expanded, or undefined once its problem is
 * reported. What a ${VAR} brings is a secret, unless the variable is a plain setting
 * (`${CREDENTIALS_DIRECTORY}`, `${AWS_REGION}`) or the value goes to a plain key
 * (`plainKey`: extra_env's RESTIC_PASSWORD_FILE): a path to a secret is no secret, and a
 * masked one hides which file is missing. A secret key's whole value is a secret of its own
 * (its caller adds it), whatever it was made of.
 */
export function expandOrReport(
  path: string,
  raw: string,
  vars: Record<string, string>,
  env: Env,
  report: (problem: string) => void,
  secrets: Set<string>,
  plainKey = false,
): string | undefined {
  try {
    // Templates first, then ${VAR}: a secret from the environment never passes through
    // Handlebars, so braces inside it cannot be mistaken for a template.
    const expanded = expandEnvRefs(expandTemplate(raw, vars), env);
    for (const { name, value } of expanded.refs) if (!plainKey && !isPlainEnvName(name)) secrets.add(value);
    // Every value ends up in an environment variable or a command line, neither of which
    // can hold a NUL: Node would refuse to start restic and quote the value in its error.
    if (expanded.text.includes('\0')) {
      report(`${path}: holds a NUL character (\\0), which no environment variable or command-line argument can carry`);
      return undefined;
    }
    return expanded.text;
  } catch (error) {
    if (error instanceof TemplateError || error instanceof EnvRefError) {
      report(`${path}: ${error.message}`);
      return undefined;
    }
    throw error;
  }
}

export interface BuildContext {
  env: Env;
  report: (problem: string) => void;
  /** A setting that works but may not do what was meant; undefined: not collected. */
  warn?: (warning: string) => void;
  secrets: Set<string>;
  defaultMode: ModeChoice;
  defaultReader: ReaderChoice;
  /** The `kuma:` block: the push_url and derived push tokens of checks that set none. */
  kuma?: Pick<KumaSettings, 'pushBase' | 'tokenSecret'>;
}

export function buildCheck(
  entry: CheckEntry,
  defaults: Record<string, unknown>,
  { env, report, warn, secrets, defaultMode, defaultReader, kuma }: BuildContext,
): Check | undefined {
  const { name, own, vars } = entry;
  let failed = false;
  const fail = (problem: string) => {
    failed = true;
    report(problem);
  };
  // A value inherited from defaults is reported at defaults.KEY, once, not per repository.
  const origin = (key: string) => (key in own && own[key] !== null ? entry.where(key) : 'defaults');
  const pick = (key: string): unknown => (key in own && own[key] !== null ? own[key] : defaults[key]);
  const text = (key: string): string | undefined => {
    const raw = pick(key);
    if (typeof raw !== 'string') return undefined;
    return expandOrReport(`${origin(key)}.${key}`, raw, vars, env, fail, secrets);
  };
  const duration = (key: string, fallback: string, timer = false): number | undefined => {
    const raw = text(key) ?? (pick(key) === undefined || pick(key) === null ? fallback : undefined);
    if (raw === undefined) return undefined;
    const parsed = readDuration(raw);
    if ('error' in parsed) {
      fail(`${origin(key)}.${key}: ${parsed.error}`);
      return undefined;
    }
    if (timer && parsed.ms > MAX_TIMER_MS) {
      fail(`${origin(key)}.${key}: "${raw}" is too long: at most ${longestTimerText(MAX_TIMER_MS)} (the longest a timer can wait)`);
      return undefined;
    }
    return parsed.ms;
  };
  const choice = (key: string, allowed: readonly string[], fallback: string): string => {
    const raw = text(key);
    if (raw === undefined) return fallback;
    if (allowed.includes(raw)) return raw;
    fail(`${origin(key)}.${key}: "${raw}" is not one of ${allowed.join(', ')}`);
    return fallback;
  };
  const list = (key: string): string[] => {
    const raw = pick(key);
    if (!Array.isArray(raw)) return [];
    return raw.flatMap((item) => (typeof item === 'string' ? [expandOrReport(`${origin(key)}.${key}`, item, vars, env, fail, secrets) ?? ''] : []));
  };
  const checked = (key: string, check?: (value: string) => string | undefined): string | undefined => {
    const value = text(key);
    const problem = value === undefined ? undefined : check?.(value);
    if (problem === undefined) return value;
    fail(`${origin(key)}.${key}: ${problem}`);
    return undefined;
  };
  // RESTIC_MONITOR_FAST and RESTIC_MONITOR_READER replace the declared defaults.
  const fallbacks: Record<string, string> = { mode: defaultMode, reader: defaultReader };
  const plain = (key: string, { value }: KeyDeclaration): unknown => {
    switch (value.type) {
      case 'duration':
        return duration(key, value.default, value.timer);
      case 'choice':
        return choice(key, value.values, fallbacks[key] ?? value.default);
      case 'list':
        return list(key);
      case 'text':
        return checked(key, value.check);
      default:
        throw new Error(`${key}: a ${value.type} key has no plain reader`);
    }
  };

  const url = text('url');
  if (url === undefined && pick('url') === undefined) fail(`${entry.where('url')}.url: missing (set it here or in defaults)`);
  else if (url !== undefined && url.trim() === '') fail(`${origin('url')}.url: is empty`);
  const s3 = url !== undefined && isS3Url(url) ? parseS3Url(url) : undefined;
  if (s3 && 'error' in s3) fail(`repositories.${name}.url: "${redactUrl(url!)}" ${s3.error}`);

  const fields: Record<string, unknown> = {};
  let incomplete = false;
  for (const [key, declaration] of PLAIN) {
    const value = plain(key, declaration);
    if (value === undefined && declaration.value.type === 'duration') incomplete = true;
    if (value !== undefined) fields[declaration.field!] = value;
  }

  if (pickCadence(entry, own, defaults, fail) === 'schedule' && typeof fields.schedule === 'string') {
    // What "on schedule" means for /healthz and the shared-listing window (see cron.ts).
    fields.intervalMs = longestGapMs(fields.schedule, (fields.timeZone as string | undefined) ?? processTimeZone());
  } else {
    // An interval check: an inherited schedule, and any time_zone, mean nothing to it.
    delete fields.schedule;
    delete fields.timeZone;
  }

  // push_url may be Kuma's whole push URL, token included (see splitPushUrl).
  const pushUrlPath = `${origin('push_url')}.push_url`;
  const pushTokenPath = `${origin('push_token')}.push_token`;
  const pushUrlText = text('push_url');
  let pushUrl = pushUrlText ?? kuma?.pushBase;
  let tokenInUrl: string | undefined;
  if (pushUrlText !== undefined && checkHttpUrl(pushUrlPath, pushUrlText, fail)) {
    const split = splitPushUrl(pushUrlText);
    if (split.token !== undefined) {
      secrets.add(split.token);
      [pushUrl, tokenInUrl] = [split.base, split.token];
    }
  }
  const ownToken = text('push_token');
  if (ownToken !== undefined) secrets.add(ownToken);
  if (tokenInUrl !== undefined && ownToken !== undefined) {
    fail(`${pushUrlPath}: holds a push token (after /api/push/) and ${pushTokenPath} is set too: keep only one`);
  }
  // A check of the `kuma:` block's own Kuma with no token of its own: one derived from its
  // name under token_secret, the one `kuma sync` gives its monitor.
  const derived = kuma?.tokenSecret !== undefined && isKumaPushBase(kuma, pushUrl) ? derivePushToken(kuma.tokenSecret, name) : undefined;
  if (derived !== undefined) secrets.add(derived);
  const pushToken = ownToken ?? tokenInUrl ?? derived;
  const pushTimeoutMs = fields.pushTimeoutMs as number | undefined;
  if (warn && pushUrl !== undefined && pushToken !== undefined && pushTimeoutMs !== undefined && pushTimeoutMs < KUMA_SLOWEST_ANSWER_MS) {
    const shown = pushTimeoutMs % 1000 === 0 ? formatDuration(pushTimeoutMs, true) : `${pushTimeoutMs}ms`;
    warn(
      `${origin('push_timeout')}.push_timeout: ${shown} is shorter than Uptime Kuma may take to answer (up to 5s while its database is busy): a push it answers late is retried and stored twice; use ${formatDuration(KUMA_SLOWEST_ANSWER_MS, true)} or more`,
    );
  }
  if (pushToken !== undefined && !TOKEN.test(pushToken)) {
    const where = ownToken !== undefined ? `${pushTokenPath}: has` : `${pushUrlPath}: its push token has`;
    fail(`${where} characters that do not belong in a URL (allowed: letters, digits, . _ ~ -)`);
  } else if (ownToken !== undefined && pushUrl === undefined) {
    fail(`${pushTokenPath}: set, but push_url is not`);
  }

  const extraEnv: Record<string, string> = {};
  const envDefaults = isMapping(defaults.extra_env) ? defaults.extra_env : {};
  const envOwn = isMapping(own.extra_env) ? own.extra_env : {};
  for (const [key, raw] of Object.entries({ ...envDefaults, ...envOwn })) {
    if (typeof raw !== 'string') continue;
    const where = key in envOwn ? entry.where('extra_env', key) : 'defaults';
    if (/[=\0]/.test(key) || key === '') {
      fail(`${where}.extra_env: ${JSON.stringify(key)} is not an environment variable name (it cannot be empty or hold "=" or a NUL)`);
      continue;
    }
    const value = expandOrReport(`${where}.extra_env.${key}`, raw, vars, env, fail, secrets, isPlainEnvName(key));
    if (value === undefined) continue;
    extraEnv[key] = value;
    if (!isPlainEnvName(key)) secrets.add(value);
  }
  const pingUrl = text('ping_url');
  if (pingUrl !== undefined) {
    checkHttpUrl(`${origin('ping_url')}.ping_url`, pingUrl, fail);
    for (const secret of pingUrlSecrets(pingUrl)) secrets.add(secret);
  }
  for (const candidate of [url, pushUrl, pingUrl]) {
    const password = candidate && passwordInUrl(candidate);
    if (password) secrets.add(password);
  }
  // rclone::webdav,url=...,bearer_token=...:path: the connection string's credentials.
  for (const secret of url === undefined ? [] : rcloneSecrets(url)) secrets.add(secret);

  const host = entry.host ?? text('host');
  // The health signals read their own keys (health/registry.ts): the listed ones, then a
  // check on them, then the others, in the order their problems have always been reported.
  const context: ReadContext = {
    value: (key) => (typeof pick(key) === 'string' ? text(key) : pick(key)),
    raw: pick,
    own: (key) => key in own && own[key] !== null,
    layers: (key) => ({ own: own[key], defaults: defaults[key] }),
    where: origin,
    expand: (path, raw) => expandOrReport(path, raw, vars, env, fail, secrets),
    fail,
    maxAgeMs: fields.maxAgeMs as number | undefined,
  };
  const limits: SignalLimits = {};
  const signalFields: Partial<Check> = {};
  const read = (signal: SignalModule) => {
    const found = signal.read(context);
    Object.assign(limits, found?.limits);
    Object.assign(signalFields, found?.check);
  };
  for (const signal of JUDGED) if (signal.listed !== false) read(signal);
  const signals = Object.keys(limits).length > 0 ? limits : undefined;
  // Fast mode sees encrypted files only: asked for by name, it cannot serve a signal that
  // needs snapshot contents. A default of fast (RESTIC_MONITOR_FAST) falls back to restic
  // for it instead (plan.ts).
  if (signals !== undefined && fields.mode === 'fast' && pick('mode') !== undefined && pick('mode') !== null) {
    const needRestic = signalNames(signals, true);
    if (needRestic.length > 0) fail(`${entry.source}: mode fast cannot check ${needRestic.join(', ')} (it sees no snapshot contents): use mode restic or auto`);
  }
  for (const signal of JUDGED) if (signal.listed === false) read(signal);

  if (failed || incomplete || url === undefined) return undefined;
  return {
    name,
    repository: entry.repository,
    url,
    ...(fields as DeclaredFields & Pick<Check, 'bucketLookup'>),
    ...(pushUrl !== undefined && { pushUrl }),
    ...(pushToken !== undefined && { pushToken }),
    ...(pingUrl !== undefined && { pingUrl }),
    extraEnv,
    ...(host !== undefined && { host }),
    ...(signals !== undefined && { signals }),
    ...signalFields,
  };
}

/**
 * `schedule` or `interval`: the layer nearest the check that sets either decides (a host
 * entry, then the repository, then `defaults`), so a repository's own `interval` overrides
 * an inherited `schedule` and the other way round. Both in one layer is an error there.
 */
function pickCadence(entry: CheckEntry, own: Record<string, unknown>, defaults: Record<string, unknown>, fail: (problem: string) => void): 'schedule' | 'interval' | undefined {
  const layer = (key: string) => (key in own && own[key] !== null ? entry.where(key) : defaults[key] !== undefined && defaults[key] !== null ? 'defaults' : undefined);
  const rank = (where: string) => (where === 'defaults' ? 0 : where === `repositories.${entry.repository}` ? 1 : 2);
  const [schedule, interval] = [layer('schedule'), layer('interval')];
  if (schedule === undefined) return interval === undefined ? undefined : 'interval';
  if (interval === undefined) return 'schedule';
  if (schedule === interval) {
    fail(`${schedule}: "schedule" and "interval" cannot both be set (a check runs at cron times or every interval: keep one)`);
    return undefined;
  }
  return rank(schedule) > rank(interval) ? 'schedule' : 'interval';
}

/**
 * A ping URL's path is its credential (a check UUID, or a project ping key and a slug):
 * the whole path and every long segment of it are kept out of logs and output. So is every
 * value of its query (`?key=...`): a service that takes its key there shows it nowhere else.
 */
function pingUrlSecrets(value: string): string[] {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return [];
  }
  const trimmed = decodeURIComponentSafe(url.pathname.replace(/^\/+|\/+$/g, ''));
  const segments = trimmed.split('/').filter((segment) => segment.length >= 16);
  const query = [...url.searchParams.values()].filter((item) => item !== '');
  return [...(trimmed === '' ? [] : [trimmed, ...segments]), ...query];
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function checkHttpUrl(path: string, value: string, fail: (problem: string) => void): boolean {
  let parsed: URL | undefined;
  try {
    parsed = new URL(value);
  } catch {
    // falls through to the message below
  }
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
    // The URL may hold a push token the redactor does not know yet: this URL was never split.
    fail(`${path}: "${maskPushToken(redactUrl(value))}" is not an http(s) URL`);
    return false;
  }
  return true;
}
