import type { Check } from '../config/types.js';
import type { Checker } from './checker.js';
import { planChecks, type Available, type CheckerKind } from './plan.js';

/** What planChecks needs to know of these checkers. */
export function availableIn(checkers: readonly Checker[]): Available {
  const restic = checkers.find((checker) => checker.kind === 'restic');
  return {
    kinds: new Set(checkers.map((checker) => checker.kind)),
    // A stand-in restic without list() (a test's) cannot share a listing.
    shareRestic: restic !== undefined && typeof (restic as { list?: unknown }).list === 'function' && restic.mode === 'restic',
  };
}

/** The checker of the planned kind; restic where that kind is not at hand. */
export function checkerOfKind(kind: CheckerKind, checkers: readonly Checker[]): Checker {
  const restic = checkers.find((checker) => checker.kind === 'restic');
  if (!restic) throw new Error('no restic checker configured');
  return checkers.find((checker) => checker.kind === kind) ?? restic;
}

/**
 * The checker planChecks names for one check: the same decision `validate` prints. A
 * list without that kind (a test's stand-in restic alone) gets restic, as before.
 */
export function chooseChecker(check: Check, checkers: readonly Checker[]): Checker {
  return checkerOfKind(planChecks([check], availableIn(checkers)).checks[0]!.kind, checkers);
}
