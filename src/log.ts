import { pino, type Logger, type LevelWithSilent } from 'pino';
import type { Redactor } from './redact.js';

export interface Sink {
  write(text: string): unknown;
}

const LEVELS = new Set(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

/**
 * JSON lines on stderr. Every line passes through the redactor on its way out, so a
 * secret that reached a log call anyway (inside an error text, say) is still masked.
 */
export function createLogger(redactor: Redactor, level: string | undefined, fallback: LevelWithSilent, sink: Sink = process.stderr): Logger {
  const known = level !== undefined && LEVELS.has(level.toLowerCase());
  const chosen = known ? level.toLowerCase() : fallback;
  const logger = pino(
    {
      level: chosen,
      base: { name: 'restic-monitor' },
      // Belt and braces: fields that hold secrets by name never print, whatever they hold.
      redact: { paths: ['push_token', 'pushToken', 'extra_env', 'extraEnv', '*.push_token', '*.extra_env'], censor: '***' },
    },
    { write: (line: string) => sink.write(redactor.redact(line)) },
  );
  // A mistyped level would silently show less (or more) than asked: say so, whatever the level.
  if (level !== undefined && level !== '' && !known) {
    logger.error(`LOG_LEVEL "${level}" is not one of ${[...LEVELS].join(', ')}: using ${fallback}`);
  }
  return logger;
}
