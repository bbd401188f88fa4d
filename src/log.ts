import { pino, type Logger, type LevelWithSilent } from 'pino';
import type { Redactor } from './redact.js';

export interface Sink {
  write(text: string): unknown;
}

/**
 * JSON lines on stderr. Every line passes through the redactor on its way out, so a
 * secret that reached a log call anyway (inside an error text, say) is still masked.
 */
export function createLogger(redactor: Redactor, level: LevelWithSilent, sink: Sink = process.stderr): Logger {
  return pino(
    {
      level,
      base: { name: 'restic-monitor' },
      // Belt and braces: fields that hold secrets by name never print, whatever they hold.
      redact: { paths: ['push_token', 'pushToken', 'extra_env', 'extraEnv', '*.push_token', '*.extra_env'], censor: '***' },
    },
    { write: (line: string) => sink.write(redactor.redact(line)) },
  );
}
