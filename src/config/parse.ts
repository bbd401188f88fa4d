import { parseDocument } from 'yaml';
import { parseListen } from '../http/listen.js';
import { expandHosts } from './hosts.js';
import { NOT_IN_DEFAULTS } from './keys.js';
import { ConfigError, unknownKeyMessage } from './errors.js';
import { buildCheck, expandOrReport, READERS } from './check.js';
import { readDiscover } from './discover.js';
import { SIGNALS } from '../health/registry.js';
import type { BuiltCheck } from '../health/signal.js';
import { readKuma } from './kuma.js';
import { checkKind, isMapping, REPOSITORY_KEYS, TOP_LEVEL_KEYS } from './schema.js';
import { DEFAULTS, type Config, type ModeChoice, type ReaderChoice } from './types.js';

export type Env = Readonly<Record<string, string | undefined>>;

/** Top-level keys that start with this are the user's own (anchors to merge from). */
const EXTENSION_PREFIX = 'x-';

export interface ParseOptions {
  /** Used when the config sets no `concurrency`; loadConfig passes the CPU count. */
  defaultConcurrency?: number;
}

/**
 * Pure: YAML text and an environment in, a validated Config out, or a ConfigError listing
 * every problem with the key path it belongs to.
 */
export function parseConfig(text: string, env: Env, options: ParseOptions = {}): Config {
  // merge: YAML 1.1 merge keys (`<<: *common`), which Go's YAML libraries and so the
  // original tool's configs accept, though YAML 1.2 dropped them.
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true, merge: true });
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
  const warnings: string[] = [];
  const warn = (warning: string) => {
    if (!warnings.includes(warning)) warnings.push(warning);
  };
  for (const [key, value] of Object.entries(root)) {
    // `x-common: &common {...}` holds anchors for merge keys, as in Compose files; never read.
    if (key.startsWith(EXTENSION_PREFIX)) continue;
    const kind = TOP_LEVEL_KEYS[key];
    if (!kind) {
      const message = unknownKeyMessage(key, key, Object.keys(TOP_LEVEL_KEYS)).replace(`${key}: unknown key`, 'unknown top-level key');
      report(message.endsWith('?)') ? message : `${message} (a key that only holds anchors must start with "${EXTENSION_PREFIX}")`);
    } else if (value !== null || key === 'repositories') {
      const problem = checkKind(key, value, kind);
      if (problem) report(problem);
    }
  }
  const defaults = isMapping(root.defaults) ? root.defaults : {};
  const repositories = root.repositories;
  // A config that only discovers its repositories needs none of its own.
  const discovers = root.discover !== undefined && root.discover !== null;
  if (repositories === undefined && !discovers) report('repositories: missing: the config needs at least one repository');
  else if (isMapping(repositories) && Object.keys(repositories).length === 0 && !discovers) report('repositories: empty: the config needs at least one repository');
  checkKeys('defaults', defaults, report);
  for (const [key, reason] of Object.entries(NOT_IN_DEFAULTS)) {
    if (defaults[key] !== undefined) report(`defaults.${key}: not allowed here: ${reason}`);
  }

  const concurrency = root.concurrency ?? options.defaultConcurrency ?? 4;
  if (Number.isInteger(concurrency) && ((concurrency as number) < 1 || (concurrency as number) > 1024)) {
    report(`concurrency: ${concurrency} is out of range (1 to 1024)`);
  }
  const defaultMode = modeFromEnv(env.RESTIC_MONITOR_FAST, report);
  const defaultReader = readerFromEnv(env.RESTIC_MONITOR_READER, report);
  const secrets = new Set<string>();
  const kuma = readKuma(root.kuma, env, report, secrets);
  const context = { env, report, warn, secrets, defaultMode, defaultReader, ...(kuma && { kuma }) };
  const built: BuiltCheck[] = [];
  // A check's name keys the schedule, the status and the metrics: `fleet/web1:` beside
  // `fleet: {hosts: {web1: ...}}` would make two checks of one name, one never run.
  const sources = new Map<string, string>();
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
      const taken = sources.get(entry.name);
      if (taken !== undefined) {
        report(`${entry.source}: check name "${entry.name}" is taken by ${taken} (check names must be unique: rename one)`);
        continue;
      }
      sources.set(entry.name, entry.source);
      const check = buildCheck(entry, defaults, context);
      if (check) built.push({ check, ...(entry.host !== undefined && { host: entry.host }), where: (key) => entry.where(key) });
    }
  }
  const discover = readDiscover(root.discover, defaults, context);
  // A signal may name another check: known only now that every check is.
  for (const signal of SIGNALS) signal.resolve?.(built, [...sources.keys()], report);
  let listen: string | undefined;
  if (typeof root.listen === 'string') listen = expandOrReport('listen', root.listen, {}, env, report, secrets);
  const listenProblem = listen === undefined ? undefined : parseListen(listen);
  if (typeof listenProblem === 'string') report(listenProblem);
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    checks: built.map(({ check }) => check),
    concurrency: concurrency as number,
    ...(listen !== undefined && { listen }),
    ...(discover !== undefined && { discover }),
    ...(kuma !== undefined && { kuma }),
    secrets: [...secrets].filter((secret) => secret.length >= 4),
    ...(warnings.length > 0 && { warnings }),
  };
}

function checkKeys(path: string, map: Record<string, unknown>, report: (problem: string) => void): void {
  for (const [key, value] of Object.entries(map)) {
    const kind = REPOSITORY_KEYS[key];
    if (!kind) report(unknownKeyMessage(path, key, Object.keys(REPOSITORY_KEYS)));
    else if (path === 'defaults' && key in NOT_IN_DEFAULTS) continue; // reported once by the caller
    else if (value !== null) {
      const problem = checkKind(`${path}.${key}`, value, kind);
      if (problem) report(problem);
      if ((kind === 'map' || kind === 'map-or-false') && isMapping(value) && !problem) {
        for (const [envKey, envValue] of Object.entries(value as Record<string, unknown>)) {
          const inner = checkKind(`${path}.${key}.${envKey}`, envValue, 'string');
          if (inner) report(inner);
        }
      }
    }
  }
}

/** RESTIC_MONITOR_FAST=true makes fast mode the default, as in the original tool. */
function modeFromEnv(value: string | undefined, report: (problem: string) => void): ModeChoice {
  if (value === undefined || value === '') return DEFAULTS.mode;
  if (/^(true|1|yes|on)$/i.test(value)) return 'fast';
  if (/^(false|0|no|off)$/i.test(value)) return DEFAULTS.mode;
  report(`RESTIC_MONITOR_FAST: "${value}" is not true or false`);
  return DEFAULTS.mode;
}

/** RESTIC_MONITOR_READER=restic (or builtin) sets the reader of every check that names none. */
function readerFromEnv(value: string | undefined, report: (problem: string) => void): ReaderChoice {
  if (value === undefined || value === '') return DEFAULTS.reader;
  if ((READERS as readonly string[]).includes(value)) return value as ReaderChoice;
  report(`RESTIC_MONITOR_READER: "${value}" is not one of ${READERS.join(', ')}`);
  return DEFAULTS.reader;
}
