import type { RepositoryConfig } from '../config/types.js';
import { localRepositoryPath } from '../urls/local.js';
import { rcloneRemote } from '../urls/rclone.js';
import { isS3Url, parseS3Url } from '../urls/s3.js';
import { isFiltered } from './snapshot-filter.js';

/** The checkers a repository can be served by; each Checker names its kind. */
export type CheckerKind = 'restic' | 's3' | 'local' | 'rclone';

export interface CheckPlan {
  kind: CheckerKind;
  /** Why restic serves a repository that asked for fast mode (`fast` or `auto`). */
  fallback?: string;
}

/**
 * Pure: which checker serves a repository, from its config alone. The run picks its checker
 * by this plan (select.ts) and `validate` prints it, so that what validate says is what the
 * run does. `restic` mode is always restic; `fast` and `auto` take the fast checker for the
 * URL, and fall back to restic where none can serve it, or where host/tag/path filters need
 * the decrypted snapshot list.
 */
export function planCheck(repository: Pick<RepositoryConfig, 'url' | 'mode' | 'host' | 'tags' | 'paths'>): CheckPlan {
  if (repository.mode === 'restic') return { kind: 'restic' };
  // Fast mode sees only encrypted snapshot files: it cannot tell hosts, tags or paths apart.
  if (isFiltered(repository)) return { kind: 'restic', fallback: 'host/tags/paths filters need restic mode' };
  const { url } = repository;
  if (isS3Url(url)) return 'error' in parseS3Url(url) ? { kind: 'restic', fallback: 'fast mode cannot read this s3 URL' } : { kind: 's3' };
  if (url.startsWith('rclone:')) {
    return rcloneRemote(url) !== undefined ? { kind: 'rclone' } : { kind: 'restic', fallback: 'fast mode needs rclone:REMOTE:PATH' };
  }
  if (localRepositoryPath(url) !== undefined) return { kind: 'local' };
  // Written without "scheme:", so that validate's YAML needs no quotes around it.
  const scheme = /^([a-z0-9]+):/.exec(url)?.[1];
  return { kind: 'restic', fallback: scheme === undefined ? 'no fast mode for this URL' : `no fast mode for ${scheme} repositories` };
}

const FAST_KINDS: Readonly<Record<Exclude<CheckerKind, 'restic'>, string>> = {
  s3: 'S3 listing',
  local: 'local directory',
  rclone: 'rclone listing',
};

/** The plan as `validate` shows it: "restic", "fast (S3 listing)", "restic (no fast mode for rest repositories)". */
export function describePlan(plan: CheckPlan): string {
  if (plan.kind !== 'restic') return `fast (${FAST_KINDS[plan.kind]})`;
  return plan.fallback === undefined ? 'restic' : `restic (${plan.fallback})`;
}
