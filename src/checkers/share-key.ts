import type { Check } from '../config/types.js';

/**
 * Checks with the same key would run restic against the same repository with the same
 * credentials and options; they can share one listing. Filters and max_age are not part of
 * it: they are applied to the shared listing in memory.
 */
export function shareKey(check: Check): string {
  const env = Object.entries(check.extraEnv).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify([check.url, env, check.caCert ?? null, check.cacheDir ?? null, check.reader ?? null]);
}
