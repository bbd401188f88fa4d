// What every restic run of a check takes, whatever it runs: its global options and its
// environment. Apart from restic.ts so that a restic run other than the listing (a drill, a
// background service's) needs nothing of the listing.
import type { Check } from '../../config/types.js';
import type { CheckContext } from '../checker.js';
import { childEnv } from '../child-env.js';
import { resticRepositoryEnv } from '../../urls/rclone.js';

/** The options every restic run of a check takes: CA file and cache. */
export function globalArgs(check: Check): string[] {
  const args: string[] = [];
  if (check.caCert) args.push('--cacert', check.caCert);
  if (check.cacheDir === 'off') args.push('--no-cache');
  else if (check.cacheDir) args.push('--cache-dir', check.cacheDir);
  return args;
}

/** restic's environment (child-env.ts says what is inherited and what is not). */
export function resticEnv(check: Check, base: CheckContext['env']): NodeJS.ProcessEnv {
  // The URL goes through the environment, not argv: a password inside it stays out of `ps`;
  // so does an rclone connection string, which restic would put on rclone's command line.
  return childEnv(base, check.extraEnv, resticRepositoryEnv(check.url));
}
