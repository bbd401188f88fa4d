import { REPOSITORY_ONLY } from './keys.js';
import { checkKind, isMapping } from './schema.js';

/**
 * One check to build from the config: a repository as written, or one host of a repository
 * that fans out with `hosts:`. Layers, weakest first: defaults, the repository, the host.
 */
export interface CheckEntry {
  /** The check's name: the repository key, or `<key>/<host>` for one of its hosts. */
  name: string;
  /** The repository key the check belongs to. */
  repository: string;
  /** Where the check is written: `repositories.<key>` or `repositories.<key>.hosts.<host>`. */
  source: string;
  /** The repository's own keys with the host's laid over them (extra_env merged key by key). */
  own: Record<string, unknown>;
  /** Template variables: `.Name` is always the repository key, `.Host` the host when fanned out. */
  vars: Record<string, string>;
  /** The restic --host filter a `hosts:` entry stands for. */
  host?: string;
  /** The key path where `key` (or `extra_env.<envKey>`) was set in `own`, for messages. */
  where(key: string, envKey?: string): string;
}

/**
 * Expands `hosts:` into one entry per host, each inheriting the repository's keys; a
 * repository without `hosts:` is one entry. Shape problems are reported, and the entries
 * that can still be built are returned.
 */
export function expandHosts(
  name: string,
  own: Record<string, unknown>,
  report: (problem: string) => void,
  checkKeys: (path: string, map: Record<string, unknown>) => void,
): CheckEntry[] {
  const path = `repositories.${name}`;
  const single: CheckEntry = { name, repository: name, source: path, own, vars: { Name: name }, where: () => path };
  const hosts = own.hosts;
  if (hosts === undefined || hosts === null || !isMapping(hosts)) return [single];
  if (Object.keys(hosts).length === 0) {
    report(`${path}.hosts: empty: name at least one host, or remove the key`);
    return [];
  }
  if (own.host !== undefined && own.host !== null) {
    report(`${path}: "host" and "hosts" cannot both be set (hosts already filters each check by its host)`);
    return [];
  }
  const { hosts: _hosts, ...base } = own;
  const entries: CheckEntry[] = [];
  for (const [host, raw] of Object.entries(hosts)) {
    const hostPath = `${path}.hosts.${host}`;
    const layer = raw === null ? {} : raw;
    if (!isMapping(layer)) {
      report(checkKind(hostPath, raw, 'map')!);
      continue;
    }
    let usable = true;
    for (const key of Object.keys(layer)) {
      if (REPOSITORY_ONLY[key]) {
        report(`${hostPath}.${key}: not allowed here: ${REPOSITORY_ONLY[key]}`);
        usable = false;
      }
    }
    checkKeys(hostPath, layer);
    if (!usable) continue;
    const set = (key: string) => key in layer && layer[key] !== null;
    const envBase = isMapping(base.extra_env) ? base.extra_env : {};
    const envLayer = isMapping(layer.extra_env) ? layer.extra_env : {};
    const merged: Record<string, unknown> = { ...base };
    for (const [key, value] of Object.entries(layer)) if (value !== null) merged[key] = value;
    if (isMapping(layer.extra_env)) merged.extra_env = { ...envBase, ...envLayer };
    entries.push({
      name: `${name}/${host}`,
      repository: name,
      source: hostPath,
      own: merged,
      vars: { Name: name, Host: host },
      host,
      where: (key, envKey) => ((envKey === undefined ? set(key) : envKey in envLayer) ? hostPath : path),
    });
  }
  return entries;
}
