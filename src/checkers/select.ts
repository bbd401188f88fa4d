import type { RepositoryConfig } from '../config/types.js';
import type { Checker } from './checker.js';

/**
 * `restic` mode always uses restic. `fast` and `auto` use the first fast checker that can
 * serve the URL, and fall back to restic for one none can (as the original tool does).
 */
export function chooseChecker(repository: RepositoryConfig, checkers: readonly Checker[]): Checker {
  const restic = checkers.find((checker) => checker.mode === 'restic');
  if (!restic) throw new Error('no restic checker configured');
  if (repository.mode === 'restic') return restic;
  return checkers.find((checker) => checker.mode === 'fast' && checker.supports(repository)) ?? restic;
}
