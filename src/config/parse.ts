import { parseDocument } from 'yaml';
import { parseDuration } from '../duration.js';
import { expandTemplate, TemplateError } from '../template.js';
import { passwordInUrl, redactUrl } from '../redact.js';
import { isS3Url, parseS3Url } from '../checkers/s3/url.js';
import { parseListen } from '../http/listen.js';
import { expandEnvRefs, EnvRefError } from './env-refs.js';
import { expandHosts, type RepositoryEntry } from './hosts.js';
import { ConfigError, unknownKeyMessage } from './errors.js';
import { checkKind, isMapping, PUBLIC_ENV_KEYS, REPOSITORY_KEYS, TOP_LEVEL_KEYS } from './schema.js';
import { DEFAULTS, type BucketLookup, type Config, type Mode, type RepositoryConfig } from './types.js';

export type Env = Readonly<Record<string, string | undefined>>;

export interface ParseOptions {
  /** Used when the config sets no `concurrency`; loadConfig passes the CPU count. */
  defaultConcurrency?: number;
}

const MODES: readonly Mode[] = ['restic', 'fast', 'auto'];
const BUCKET_LOOKUPS: readonly BucketLookup[] = ['auto', 'path', 'dns'];
// Unreserved URL characters only: anything else would change the push URL's meaning.
const TOKEN = /^[A-Za-z0-9._~-]+$/;

/**
 * Pure: YAML text and an environment in, a validated Config out, or a ConfigError listing
 * every problem with the key path it belongs to.
 */
export function parseConfig(text: string, env: Env, options: ParseOptions = {}): Config {
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length > 0) {
    // The first error is the one to fix; the ones after it are mostly its echoes.
    throw new ConfigError([`not valid YAML: ${doc.errors[0]!.message.split('\n')[0]!.replace(/:$/, '')}`]);
  }
  let root: unknown;
  try {
    root = doc.toJS({ maxAliasCount: 1000 });
  } catch (error) {
    throw new ConfigError([`not valid YAML: ${(error as Error).message}`]);
  }
  if (root === null || root === undefined) throw new ConfigError(['the config is empty: it needs a "repositories" mapping']);
  if (!isMapping(root)) throw new ConfigError([`the config must be a mapping with "repositories", got ${checkKind('', root, 'map')!.replace(/^: expected a mapping, got /, '')}`]);

  const problems: string[] = [];
  const report = (problem: string) => {
    if (!problems.includes(problem)) problems.push(problem);
  };
  for (const [key, value] of Object.entries(root)) {
    const kind = TOP_LEVEL_KEYS[key];
    if (!kind) report(unknownKeyMessage(key, key, Object.keys(TOP_LEVEL_KEYS)).replace(`${key}: unknown key`, 'unknown top-level key'));
    else if (value !== null || key === 'repositories') {
      const problem = checkKind(key, value, kind);
      if (problem) report(problem);
    }
  }
  const defaults = isMapping(root.defaults) ? root.defaults : {};
  const repositories = root.repositories;
  if (repositories === undefined) report('repositories: missing: the config needs at least one repository');
  else if (isMapping(repositories) && Object.keys(repositories).length === 0) report('repositories: empty: the config needs at least one repository');
  checkKeys('defaults', defaults, report);
  if (defaults.hosts !== undefined) report('defaults.hosts: not allowed here: only a repository can fan out into hosts');

  const concurrency = root.concurrency ?? options.defaultConcurrency ?? 4;
  if (Number.isInteger(concurrency) && ((concurrency as number) < 1 || (concurrency as number) > 1024)) {
    report(`concurrency: ${concurrency} is out of range (1 to 1024)`);
  }
  const defaultMode = modeFromEnv(env.RESTIC_MONITOR_FAST, report);
  const secrets = new Set<string>();
  const built: RepositoryConfig[] = [];
  for (const [name, own] of Object.entries(isMapping(repositories) ? repositories : {})) {
    const path = `repositories.${name}`;
    // `web-server:` with nothing under it inherits everything from defaults.
    const ownMap = own === null ? {} : own;
    if (!isMapping(ownMap)) {
      report(checkKind(path, own, 'map')!);
      continue;
    }
    checkKeys(path, ownMap, report);
    for (const entry of expandHosts(name, ownMap, report, (where, map) => checkKeys(where, map, report))) {
      const repository = buildRepository(entry, defaults, { env, report, secrets, defaultMode });
      if (repository) built.push(repository);
    }
  }
  let listen: string | undefined;
  if (typeof root.listen === 'string') listen = expandOrReport('listen', root.listen, {}, env, report, secrets);
  const listenProblem = listen === undefined ? undefined : parseListen(listen);
  if (typeof listenProblem === 'string') report(listenProblem);
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    repositories: built,
    concurrency: concurrency as number,
    ...(listen !== undefined && { listen }),
    secrets: [...secrets].filter((secret) => secret.length >= 4),
  };
}

function checkKeys(path: string, map: Record<string, unknown>, report: (problem: string) => void): void {
  for (const [key, value] of Object.entries(map)) {
    const kind = REPOSITORY_KEYS[key];
    if (!kind) report(unknownKeyMessage(path, key, Object.keys(REPOSITORY_KEYS)));
    else if (kind === 'hosts' && path === 'defaults') continue; // reported once by the caller
    else if (value !== null) {
      const problem = checkKind(`${path}.${key}`, value, kind);
      if (problem) report(problem);
      if (kind === 'map' && !problem) {
        for (const [envKey, envValue] of Object.entries(value as Record<string, unknown>)) {
          const inner = checkKind(`${path}.${key}.${envKey}`, envValue, 'string');
          if (inner) report(inner);
        }
      }
    }
  }
}

function expandOrReport(
  path: string,
  raw: string,
  vars: Record<string, string>,
  env: Env,
  report: (problem: string) => void,
  secrets: Set<string>,
): string | undefined {
  try {
    // Templates first, then ${VAR}: a secret from the environment never passes through
    // Handlebars, so braces inside it cannot be mistaken for a template.
    const expanded = expandEnvRefs(expandTemplate(raw, vars), env);
    for (const value of expanded.values) secrets.add(value);
    return expanded.text;
  } catch (error) {
    if (error instanceof TemplateError || error instanceof EnvRefError) {
      report(`${path}: ${error.message}`);
      return undefined;
    }
    throw error;
  }
}

/** RESTIC_MONITOR_FAST=true makes fast mode the default, as in the original tool. */
function modeFromEnv(value: string | undefined, report: (problem: string) => void): Mode {
  if (value === undefined || value === '') return DEFAULTS.mode;
  if (/^(true|1|yes|on)$/i.test(value)) return 'fast';
  if (/^(false|0|no|off)$/i.test(value)) return DEFAULTS.mode;
  report(`RESTIC_MONITOR_FAST: "${value}" is not true or false`);
  return DEFAULTS.mode;
}

interface BuildContext {
  env: Env;
  report: (problem: string) => void;
  secrets: Set<string>;
  defaultMode: Mode;
}

function buildRepository(
  entry: RepositoryEntry,
  defaults: Record<string, unknown>,
  { env, report, secrets, defaultMode }: BuildContext,
): RepositoryConfig | undefined {
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
  const duration = (key: string, fallback: string): number | undefined => {
    const raw = text(key) ?? (pick(key) === undefined || pick(key) === null ? fallback : undefined);
    if (raw === undefined) return undefined;
    const parsed = parseDuration(raw);
    if (parsed === undefined) fail(`${origin(key)}.${key}: "${raw}" is not a duration (e.g. 1d, 6h, 30m, 1h30m)`);
    return parsed;
  };
  const choice = <T extends string>(key: string, allowed: readonly T[], fallback: T): T => {
    const raw = text(key);
    if (raw === undefined) return fallback;
    if ((allowed as readonly string[]).includes(raw)) return raw as T;
    fail(`${origin(key)}.${key}: "${raw}" is not one of ${allowed.join(', ')}`);
    return fallback;
  };

  const url = text('url');
  if (url === undefined && pick('url') === undefined) fail(`${entry.where('url')}.url: missing (set it here or in defaults)`);
  else if (url !== undefined && url.trim() === '') fail(`${origin('url')}.url: is empty`);
  const s3 = url !== undefined && isS3Url(url) ? parseS3Url(url) : undefined;
  if (s3 && 'error' in s3) fail(`repositories.${name}.url: "${redactUrl(url!)}" ${s3.error}`);

  const maxAgeMs = duration('max_age', DEFAULTS.maxAge);
  const timeoutMs = duration('timeout', DEFAULTS.timeout);
  const pushTimeoutMs = duration('push_timeout', DEFAULTS.pushTimeout);
  const intervalMs = duration('interval', DEFAULTS.interval);
  const mode = choice('mode', MODES, defaultMode);
  const bucketLookup = choice('bucket_lookup', BUCKET_LOOKUPS, DEFAULTS.bucketLookup);

  const pushUrl = text('push_url');
  if (pushUrl !== undefined) checkHttpUrl(`${origin('push_url')}.push_url`, pushUrl, fail);
  const pushToken = text('push_token');
  if (pushToken !== undefined) {
    secrets.add(pushToken);
    if (!TOKEN.test(pushToken)) {
      fail(`${origin('push_token')}.push_token: has characters that do not belong in a URL (allowed: letters, digits, . _ ~ -)`);
    } else if (pushUrl === undefined) {
      fail(`${origin('push_token')}.push_token: set, but push_url is not`);
    }
  }

  const extraEnv: Record<string, string> = {};
  const envDefaults = isMapping(defaults.extra_env) ? defaults.extra_env : {};
  const envOwn = isMapping(own.extra_env) ? own.extra_env : {};
  for (const [key, raw] of Object.entries({ ...envDefaults, ...envOwn })) {
    if (typeof raw !== 'string') continue;
    const where = key in envOwn ? entry.where('extra_env', key) : 'defaults';
    const value = expandOrReport(`${where}.extra_env.${key}`, raw, vars, env, fail, secrets);
    if (value === undefined) continue;
    extraEnv[key] = value;
    if (!PUBLIC_ENV_KEYS.has(key)) secrets.add(value);
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

  const list = (key: string): string[] => {
    const raw = pick(key);
    if (!Array.isArray(raw)) return [];
    return raw.flatMap((item) => (typeof item === 'string' ? [expandOrReport(`${origin(key)}.${key}`, item, vars, env, fail, secrets) ?? ''] : []));
  };
  const tags = list('tags');
  const paths = list('paths');
  const caCert = text('ca_cert');
  const cacheDir = text('cache_dir');
  const region = text('region');
  const host = entry.host ?? text('host');

  if (failed || url === undefined || maxAgeMs === undefined || timeoutMs === undefined || pushTimeoutMs === undefined || intervalMs === undefined) {
    return undefined;
  }
  return {
    name,
    url,
    maxAgeMs,
    ...(pushUrl !== undefined && { pushUrl }),
    ...(pushToken !== undefined && { pushToken }),
    ...(pingUrl !== undefined && { pingUrl }),
    extraEnv,
    timeoutMs,
    pushTimeoutMs,
    mode,
    ...(caCert !== undefined && { caCert }),
    ...(cacheDir !== undefined && { cacheDir }),
    intervalMs,
    ...(region !== undefined && { region }),
    bucketLookup,
    ...(host !== undefined && { host }),
    tags,
    paths,
  };
}

/**
 * A ping URL's path is its credential (a check UUID, or a project ping key and a slug):
 * the whole path and every long segment of it are kept out of logs and output.
 */
function pingUrlSecrets(value: string): string[] {
  let path: string;
  try {
    path = new URL(value).pathname;
  } catch {
    return [];
  }
  const trimmed = decodeURIComponentSafe(path.replace(/^\/+|\/+$/g, ''));
  const segments = trimmed.split('/').filter((segment) => segment.length >= 16);
  return trimmed === '' ? [] : [trimmed, ...segments];
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function checkHttpUrl(path: string, value: string, fail: (problem: string) => void): void {
  let parsed: URL | undefined;
  try {
    parsed = new URL(value);
  } catch {
    // falls through to the message below
  }
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
    fail(`${path}: "${redactUrl(value)}" is not an http(s) URL`);
  }
}
