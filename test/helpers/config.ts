import type { RepositoryConfig } from '../../src/config/types.js';

/** A RepositoryConfig with the documented defaults, for tests that call a checker directly. */
export function repositoryConfig(overrides: Partial<RepositoryConfig> & { url: string }): RepositoryConfig {
  return {
    name: 'test',
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
