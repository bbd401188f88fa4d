import type { RepositoryConfig } from '../config/types.js';
import type { Checker } from './checker.js';
import { isFiltered } from './snapshot-filter.js';

/**
 * `restic` mode always uses restic. `fast` and `auto` use the first fast checker that can
 * serve the URL, and fall back to restic for one none can (as the original tool does).
 * A check filtered by host, tag or path always uses restic.
 */
export function chooseChecker(repository: RepositoryConfig, checkers: readonly Checker[]): Checker {
  const restic = checkers.find((checker) => checker.mode === 'restic');
  if (!restic) throw new Error('no restic checker configured');
  // Fast mode sees only encrypted snapshot files: it cannot tell hosts, tags or paths apart.
  if (repository.mode === 'restic' || isFiltered(repository)) return restic;
  return checkers.find((checker) => checker.mode === 'fast' && checker.supports(repository)) ?? restic;
}
