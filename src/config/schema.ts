import { describeType } from './errors.js';

/** The shape a key's raw YAML value must have before it is expanded and validated. */
export type RawKind = 'string' | 'map' | 'list' | 'integer' | 'hosts' | 'scalar';

/** Keys a repository (or `defaults`) may hold. The first five are the original tool's. */
export const REPOSITORY_KEYS: Readonly<Record<string, RawKind>> = {
  url: 'string',
  max_age: 'string',
  push_url: 'string',
  push_token: 'string',
  extra_env: 'map',
  timeout: 'string',
  push_timeout: 'string',
  mode: 'string',
  reader: 'string',
  ca_cert: 'string',
  cache_dir: 'string',
  interval: 'string',
  region: 'string',
  bucket_lookup: 'string',
  host: 'string',
  tags: 'list',
  paths: 'list',
  /** Fans one repository out into one check per host (see config/hosts.ts). */
  hosts: 'hosts',
  /** healthchecks.io-style ping URL: up pings it, down pings <ping_url>/fail. */
  ping_url: 'string',
  /** Health signals (config/signals.ts reads their values). */
  min_files: 'integer',
  min_size: 'scalar',
  max_shrink: 'scalar',
  min_snapshots: 'integer',
};

export const TOP_LEVEL_KEYS: Readonly<Record<string, RawKind>> = {
  defaults: 'map',
  repositories: 'map',
  concurrency: 'integer',
  listen: 'string',
};

export function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/** Returns a problem text when `value` is not of `kind`, else undefined. */
export function checkKind(path: string, value: unknown, kind: RawKind): string | undefined {
  switch (kind) {
    case 'string':
      if (typeof value === 'string') return undefined;
      if (typeof value === 'number' || typeof value === 'boolean') {
        return `${path}: expected a string, got ${describeType(value)} (put it in quotes)`;
      }
      return `${path}: expected a string, got ${describeType(value)}`;
    case 'map':
      return isMapping(value) ? undefined : `${path}: expected a mapping, got ${describeType(value)}`;
    case 'list':
      if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return undefined;
      return `${path}: expected a list of strings, got ${describeType(value)}`;
    case 'integer':
      return Number.isInteger(value) ? undefined : `${path}: expected a whole number, got ${describeType(value)}`;
    case 'scalar':
      // The key's own reader (config/signals.ts) says what the value should look like.
      return typeof value === 'string' || typeof value === 'number' ? undefined : `${path}: expected a single value, got ${describeType(value)}`;
    case 'hosts':
      return isMapping(value) ? undefined : `${path}: expected a mapping of host names (host: { push_token: ... }), got ${describeType(value)}`;
  }
}
