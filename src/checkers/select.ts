import type { RepositoryConfig } from '../config/types.js';
import type { Checker } from './checker.js';
import { planCheck } from './plan.js';

/**
 * The checker planCheck names for the repository: the same decision `validate` prints. A
 * list without that kind (a test's stand-in restic alone) gets restic, as before.
 */
export function chooseChecker(repository: RepositoryConfig, checkers: readonly Checker[]): Checker {
  const restic = checkers.find((checker) => checker.kind === 'restic');
  if (!restic) throw new Error('no restic checker configured');
  const { kind } = planCheck(repository);
  return checkers.find((checker) => checker.kind === kind) ?? restic;
}
