import { EventEmitter } from 'node:events';
import { constants } from 'node:os';
import type { LiveTrees } from '../process/live-trees.js';

/** What signals come from: `process` in production, an EventEmitter in tests. */
export interface SignalSource {
  on(event: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
}

export interface SignalOptions {
  /** daemon: SIGHUP reloads the config. Every other command: SIGHUP stops it like SIGTERM. */
  hangupReloads: boolean;
  trees: Pick<LiveTrees, 'killAll'>;
  stderr: { write(text: string): unknown };
  exit: (code: number) => void;
  now?: () => number;
  /** Signals that came before these handlers (held by the entry point): handled first, in order. */
  earlier?: readonly NodeJS.Signals[];
}

/**
 * The longest a clean stop takes, from the first SIGTERM or SIGINT to exit, for the daemon and
 * for `run`: restic and what it started get STOP_GRACE_MS (run-process.ts) to go, then the
 * endpoint and the S3 clients close; the rest is room for a loaded machine. docs/daemon.md
 * states it, the SIGTERM tests hold the daemon to it, and a supervisor's kill timeout matches
 * it (deploy/kubernetes: terminationGracePeriodSeconds).
 */
export const CLEAN_STOP_BOUND_MS = 10_000;

/** The signals the program handles; the entry point holds them until installSignals runs. */
export const STOP_AND_RELOAD_SIGNALS = ['SIGHUP', 'SIGTERM', 'SIGINT'] as const;

export interface Signals {
  /** Aborted by the first SIGINT or SIGTERM (or SIGHUP outside the daemon). */
  signal: AbortSignal;
  /** SIGHUPs for the daemon; one that came before it listened is handed over when it does. */
  hangups: HangupEmitter;
}

/**
 * The first stop signal asks for a clean stop: checks are aborted, their processes get
 * SIGTERM, then SIGKILL after a grace period, and the results are reported. A second one
 * during that grace period means "now": every live process tree gets SIGKILL and the process
 * exits at once with 128 + the signal's number, as a shell would report it.
 * The entry point holds these signals from its first line and hands them over as `earlier`:
 * until a process has a handler a signal's default action applies, and for SIGHUP that is
 * death (exit 129) with restic left running.
 */
export function installSignals(source: SignalSource, options: SignalOptions): Signals {
  const controller = new AbortController();
  const hangups = new HangupEmitter();
  const stop = (signal: NodeJS.Signals) => {
    if (!controller.signal.aborted) {
      controller.abort();
      return;
    }
    const trees = options.trees.killAll();
    // A JSON line like every other log line on stderr (pino's level 50 is "error").
    const line = {
      level: 50,
      time: (options.now ?? Date.now)(),
      name: 'restic-monitor',
      msg: `${signal} again while stopping: killed ${trees} process ${trees === 1 ? 'tree' : 'trees'}, exiting now`,
    };
    options.stderr.write(`${JSON.stringify(line)}\n`);
    options.exit(128 + (constants.signals[signal] ?? 0));
  };
  const hangup = (signal: NodeJS.Signals) => {
    if (!options.hangupReloads) stop(signal);
    else if (!controller.signal.aborted) hangups.hangup();
  };
  source.on('SIGINT', stop);
  source.on('SIGTERM', stop);
  source.on('SIGHUP', hangup);
  for (const signal of options.earlier ?? []) (signal === 'SIGHUP' ? hangup : stop)(signal);
  return { signal: controller.signal, hangups };
}

/**
 * The daemon's SIGHUP source. The config is read at start, before the daemon listens for
 * SIGHUP: a SIGHUP in between (a config just edited) is kept and delivered once it listens.
 */
export class HangupEmitter {
  private readonly emitter = new EventEmitter();
  private pending = false;

  hangup(): void {
    if (this.emitter.listenerCount('SIGHUP') === 0) this.pending = true;
    else this.emitter.emit('SIGHUP');
  }

  on(event: 'SIGHUP', listener: () => void): this {
    this.emitter.on(event, listener);
    if (this.pending) {
      this.pending = false;
      queueMicrotask(() => this.emitter.emit('SIGHUP'));
    }
    return this;
  }

  off(event: 'SIGHUP', listener: () => void): this {
    this.emitter.off(event, listener);
    return this;
  }
}
