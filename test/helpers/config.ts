import type { Check } from '../../src/config/types.js';

/** A Check with the documented defaults, for tests that call a checker directly. */
export function checkConfig(overrides: Partial<Check> & { url: string }): Check {
  const name = overrides.name ?? 'test';
  return {
    name,
    repository: name.split('/')[0]!,
    maxAgeMs: 86_400_000,
    extraEnv: {},
    timeoutMs: 60_000,
    pushTimeoutMs: 10_000,
    mode: 'restic',
    intervalMs: 3_600_000,
    bucketLookup: 'auto',
    tags: [],
    paths: [],
    ...overrides,
  };
}
