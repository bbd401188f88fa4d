// The top-level `kuma:` block: where Uptime Kuma is, how `kuma sync` logs in, and how the
// monitors it manages are named, marked and timed. Pure: the raw mapping in, the settings or
// problems naming the sub-key out.
import { MAX_TIMER_MS } from '../abort/deadline.js';
import { formatDuration, readDuration } from '../duration.js';
import { readTotpSecret } from '../kuma/totp.js';
import { expandTemplate, TemplateError } from '../template.js';
import { unknownKeyMessage } from './errors.js';
import type { Env } from './parse.js';
import { expandEnvRefs, EnvRefError } from './env-refs.js';
import { checkKind } from './schema.js';

export interface KumaSettings {
  /** Kuma's base URL, no trailing slash: `https://kuma.example.com`. */
  url: string;
  /** `<url>/api/push/`: the push_url of every check that sets none. */
  pushBase: string;
  username?: string;
  password?: string;
  /** The decoded TOTP secret of an account with two-factor login. */
  totpSecret?: Buffer;
  /** The key derived push tokens are made with (src/kuma/push-token.ts). */
  tokenSecret?: string;
  /** The monitor name template; `{{ .Name }}` is the check's name. */
  monitorName: string;
  /** The Kuma tag that marks a monitor as managed by `kuma sync`; its value is the check's name. */
  tag: string;
  /** How often a timer or cron starts `run`; unset: the daemon's interval or schedule. */
  runIntervalMs?: number;
  /** Added to the expected gap between beats; unset: each check's worst case (see src/kuma/desired.ts). */
  graceMs?: number;
  /** One request to Kuma (connecting, logging in, each change). */
  timeoutMs: number;
  /** The daemon syncs too: at start, after a reload and after each discovery walk. */
  sync: boolean;
  /**
   * What keeps `kuma sync` from logging in: a `${VAR}` in username, password or totp_secret
   * that the environment does not set. Only sync needs them, so `run` and `daemon` go on
   * without (the host that runs checks needs no Kuma password).
   */
  loginProblems: string[];
}

interface SubKey {
  /** The key table's default column (markdown, docs/uptime-kuma.md). */
  shownDefault: string;
  /** The key table's meaning column. */
  doc: string;
  /** Its value is masked wherever it could be shown. */
  secret?: true;
}

/** Every sub-key of `kuma:`, in the order of its key table (docs/uptime-kuma.md). */
export const KUMA_KEYS = {
  url: { shownDefault: '(required)', doc: "Uptime Kuma's base URL, e.g. `https://kuma.example.com`; a check with no `push_url` pushes to its `/api/push/`" },
  username: { shownDefault: 'none', doc: 'the Kuma account `kuma sync` logs in with' },
  password: { shownDefault: 'none', doc: "that account's password; write `${KUMA_PASSWORD}` and keep it in the environment file", secret: true },
  totp_secret: { shownDefault: 'none', doc: "for an account with two-factor login: the `secret=` of its `otpauth://` URI (base32), or the whole URI", secret: true },
  token_secret: { shownDefault: 'none', doc: 'a long random key (`openssl rand -hex 32`): a check with no `push_token` pushes with a token derived from its name under this key, and `kuma sync` gives its monitor that token', secret: true },
  monitor_name: { shownDefault: '`{{ .Name }}`', doc: "the monitor's name in Kuma; `{{ .Name }}` is the check's name (`web-server`, `fleet/web1`)" },
  tag: { shownDefault: '`restic-monitor`', doc: 'the Kuma tag that marks the monitors `kuma sync` manages (its value is the check\'s name); a monitor without it is never changed' },
  run_interval: { shownDefault: 'none', doc: "one-shot runs: how often the timer or cron starts `run` (`12h`); without it, each monitor's heartbeat interval follows the daemon's `interval` or `schedule`" },
  grace: { shownDefault: "the check's worst-case cycle + 10% of the gap (at most 15m)", doc: 'added to the gap between beats to make the heartbeat interval Kuma waits before it calls a silent monitor down' },
  timeout: { shownDefault: '`30s`', doc: 'each request to Kuma: connecting, logging in, each change' },
  sync: { shownDefault: '`false`', doc: "`true`: the daemon syncs Kuma's monitors itself, at start, after a reload and after each `discover:` walk, so a repository that appears gets its monitor (it never prunes); a failure is logged and tried again 5 minutes later, and no check waits for it" },
} as const satisfies Record<string, SubKey>;

export const KUMA_DEFAULTS = { monitorName: '{{ .Name }}', tag: 'restic-monitor', timeout: '30s' } as const;

/** Kuma keeps a heartbeat interval in a JavaScript timer: beyond 24 days it would fire at once. */
export const MAX_KUMA_INTERVAL_MS = Math.floor(MAX_TIMER_MS / 86_400_000) * 86_400_000;

export function readKuma(raw: unknown, env: Env, report: (problem: string) => void, secrets: Set<string>): KumaSettings | undefined {
  if (raw === undefined || raw === null) return undefined;
  const shape = checkKind('kuma', raw, 'map');
  if (shape) {
    report(shape);
    return undefined;
  }
  const block = raw as Record<string, unknown>;
  let ok = true;
  const fail = (key: string, problem: string) => {
    ok = false;
    report(`kuma.${key}: ${problem}`);
  };
  for (const key of Object.keys(block)) {
    if (!(key in KUMA_KEYS)) {
      ok = false;
      report(unknownKeyMessage('kuma', key, Object.keys(KUMA_KEYS)));
    }
  }
  const loginProblems: string[] = [];
  const LOGIN_KEYS: readonly string[] = ['username', 'password', 'totp_secret'];
  const text = (key: keyof typeof KUMA_KEYS): string | undefined => {
    const value = block[key];
    if (value === undefined || value === null) return undefined;
    const problem = checkKind(`kuma.${key}`, value, 'string');
    if (problem) {
      ok = false;
      report(problem);
      return undefined;
    }
    try {
      const expanded = expandEnvRefs(value as string, env);
      const secret = (KUMA_KEYS[key] as SubKey).secret === true;
      for (const part of expanded.refs) if (secret) secrets.add(part.value);
      if (secret) secrets.add(expanded.text);
      return expanded.text;
    } catch (error) {
      if (!(error instanceof EnvRefError)) throw error;
      if (LOGIN_KEYS.includes(key) && /is not set$/.test(error.message)) loginProblems.push(`kuma.${key}: ${error.message}`);
      else fail(key, error.message);
      return undefined;
    }
  };
  const duration = (key: 'run_interval' | 'grace' | 'timeout', fallback?: string): number | undefined => {
    const value = text(key) ?? fallback;
    if (value === undefined) return undefined;
    const parsed = readDuration(value);
    if ('error' in parsed) {
      fail(key, parsed.error);
      return undefined;
    }
    return parsed.ms;
  };

  const url = text('url');
  let base: URL | undefined;
  if (url === undefined) {
    if (!('url' in block)) fail('url', 'missing: where Uptime Kuma is, e.g. https://kuma.example.com');
  } else {
    try {
      base = new URL(url);
    } catch {
      fail('url', `"${url}" is not a URL (e.g. https://kuma.example.com)`);
    }
    if (base && base.protocol !== 'http:' && base.protocol !== 'https:') fail('url', `"${url}" is not an http(s) URL`);
    if (base && (base.search !== '' || base.hash !== '')) fail('url', 'is the base URL of Kuma, without a query or fragment');
    if (base && /\/api\/push(\/|$)/.test(base.pathname)) fail('url', `is Kuma's base URL, not a push URL (drop "${base.pathname}")`);
  }
  const username = text('username');
  const password = text('password');
  const totpText = text('totp_secret');
  let totpSecret: Buffer | undefined;
  if (totpText !== undefined) {
    const decoded = readTotpSecret(totpText);
    if ('error' in decoded) fail('totp_secret', decoded.error);
    else totpSecret = decoded;
  }
  const tokenSecret = text('token_secret');
  if (tokenSecret !== undefined && tokenSecret.length < 16) fail('token_secret', `is ${tokenSecret.length} characters long: use at least 16 random ones (openssl rand -hex 32)`);
  const monitorName = text('monitor_name') ?? KUMA_DEFAULTS.monitorName;
  try {
    if (expandTemplate(monitorName, { Name: 'x' }).trim() === '') fail('monitor_name', 'gives an empty name');
  } catch (error) {
    if (!(error instanceof TemplateError)) throw error;
    fail('monitor_name', error.message);
  }
  const tag = text('tag') ?? KUMA_DEFAULTS.tag;
  if (tag.trim() === '') fail('tag', 'is empty: the tag is how sync tells its monitors from yours');
  const sync = block.sync ?? false;
  if (typeof sync !== 'boolean') fail('sync', `expected true or false, got ${JSON.stringify(sync)}`);
  const runIntervalMs = duration('run_interval');
  const graceMs = duration('grace');
  const timeoutMs = duration('timeout', KUMA_DEFAULTS.timeout);
  if (runIntervalMs !== undefined && runIntervalMs > MAX_KUMA_INTERVAL_MS) {
    fail('run_interval', `${formatDuration(runIntervalMs)} is longer than Kuma can wait for a beat (${formatDuration(MAX_KUMA_INTERVAL_MS)})`);
  }
  if (timeoutMs !== undefined && timeoutMs > MAX_TIMER_MS) fail('timeout', `is longer than ${formatDuration(MAX_TIMER_MS)}`);
  if (!ok || base === undefined || timeoutMs === undefined) return undefined;
  const href = base.href.replace(/\/+$/, '');
  return {
    url: href,
    pushBase: `${href}/api/push/`,
    ...(username !== undefined && { username }),
    ...(password !== undefined && { password }),
    ...(totpSecret !== undefined && { totpSecret }),
    ...(tokenSecret !== undefined && { tokenSecret }),
    monitorName,
    tag: tag.trim(),
    ...(runIntervalMs !== undefined && { runIntervalMs }),
    ...(graceMs !== undefined && { graceMs }),
    timeoutMs,
    sync: sync === true,
    loginProblems,
  };
}

/**
 * Whether a push_url is the `kuma:` block's push base, however it is written: host case,
 * a default port, a missing trailing slash (`https://KUMA.example.com:443/api/push`).
 */
export function isKumaPushBase(settings: Pick<KumaSettings, 'pushBase'>, pushUrl: string | undefined): boolean {
  if (pushUrl === undefined) return false;
  try {
    const url = new URL(pushUrl);
    if (!url.pathname.endsWith('/')) url.pathname += '/';
    return url.href === settings.pushBase;
  } catch {
    return false;
  }
}

/** The monitor name of a check: the `monitor_name` template with `.Name` set. */
export function monitorNameOf(settings: Pick<KumaSettings, 'monitorName'>, checkName: string): string {
  return expandTemplate(settings.monitorName, { Name: checkName }).trim();
}
