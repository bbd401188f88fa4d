import type { LevelWithSilent, Logger } from 'pino';
import { requirePackage } from './lazy-require.js';
import type { Redactor } from './redact.js';

export interface Sink {
  write(text: string): unknown;
}

type Level = Exclude<LevelWithSilent, 'silent'>;

/** What the monitor logs with: pino's own calls (a pino Logger is one). */
export interface Log {
  child(bindings: Record<string, unknown>): Log;
  trace: LogFn;
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  fatal: LogFn;
}

export type LogFn = (objectOrMessage: object | string, message?: string) => void;

/** pino's numbers for its levels: a line is written when its level's is at least the logger's. */
const LEVELS: Readonly<Record<Level, number>> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 };

/**
 * JSON lines on stderr, written by pino. Every line passes through the redactor on its way
 * out, so a secret that reached a log call anyway (inside an error text, say) is still
 * masked. pino itself (some 25 files and Node's worker threads) is loaded by the first line
 * that the level lets through: a one-shot command at its default level (warn) usually
 * writes none, and its start-up is the time a cron job or a person waits.
 */
export function createLogger(redactor: Redactor, level: LevelWithSilent, sink: Sink = process.stderr): Log {
  let root: Logger | undefined;
  const makeRoot = () =>
    (root ??= loadPino()(
      {
        level,
        base: { name: 'restic-monitor' },
        // Belt and braces: fields that hold secrets by name never print, whatever they hold.
        redact: { paths: ['push_token', 'pushToken', 'extra_env', 'extraEnv', '*.push_token', '*.extra_env'], censor: '***' },
      },
      { write: (line: string) => sink.write(redactor.redact(line)) },
    ));
  return new DeferredLog(level === 'silent' ? Infinity : LEVELS[level], makeRoot, []);
}

/** A logger and its children as pino makes them, once a line gets through the level. */
class DeferredLog implements Log {
  private real: Logger | undefined;
  readonly trace: LogFn = (...args) => this.write('trace', args);
  readonly debug: LogFn = (...args) => this.write('debug', args);
  readonly info: LogFn = (...args) => this.write('info', args);
  readonly warn: LogFn = (...args) => this.write('warn', args);
  readonly error: LogFn = (...args) => this.write('error', args);
  readonly fatal: LogFn = (...args) => this.write('fatal', args);

  constructor(
    private readonly threshold: number,
    private readonly root: () => Logger,
    private readonly bindings: ReadonlyArray<Record<string, unknown>>,
  ) {}

  child(bindings: Record<string, unknown>): Log {
    return new DeferredLog(this.threshold, this.root, [...this.bindings, bindings]);
  }

  private write(level: Level, args: Parameters<LogFn>): void {
    if (LEVELS[level] < this.threshold) return;
    this.real ??= this.bindings.reduce<Logger>((logger, bindings) => logger.child(bindings), this.root());
    (this.real[level] as (...args: Parameters<LogFn>) => void)(...args);
  }
}

function loadPino(): typeof import('pino').pino {
  return requirePackage<typeof import('pino')>('pino', () => require('pino')).pino;
}
