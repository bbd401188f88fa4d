// No pino here: the CLI's argument parser reads this before the signal handlers are in place
// (src/cli.ts), and pino takes tens of milliseconds to load.
import type { LevelWithSilent } from 'pino';

export const LOG_LEVELS: readonly LevelWithSilent[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export type LogLevelChoice = { level: LevelWithSilent } | { error: string };

/**
 * The level a command logs at: `--log-level` wins over `LOG_LEVEL`, which wins over the
 * command's default. A level that is not one is an error, not a silent fallback: a typo
 * would show less (or more) than asked, and nobody reads the line that says so.
 */
export function chooseLogLevel(flag: string | undefined, env: string | undefined, fallback: LevelWithSilent): LogLevelChoice {
  const [source, given] = flag !== undefined ? ['--log-level', flag] : env !== undefined && env !== '' ? ['LOG_LEVEL', env] : [undefined, undefined];
  if (given === undefined) return { level: fallback };
  const level = given.toLowerCase() as LevelWithSilent;
  if (LOG_LEVELS.includes(level)) return { level };
  return { error: `${source} "${given}" is not a log level (levels: ${LOG_LEVELS.join(', ')})` };
}
