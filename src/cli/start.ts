import { setFlagsFromString } from 'node:v8';
import { liveTrees } from '../process/live-trees.js';
import { armExitBackstop, exitNow } from '../process/exit.js';
import { redactorFor } from '../redact.js';
import { parseCommandLine } from './args.js';
import { installSignals, STOP_AND_RELOAD_SIGNALS } from './signals.js';

/** What the entry point (src/cli.ts) caught before this module was loaded. */
export interface EarlySignals {
  /** The signals that arrived, in order. */
  held: readonly NodeJS.Signals[];
  /** The listener that held them, on SIGHUP, SIGTERM and SIGINT. */
  hold: (signal: NodeJS.Signals) => void;
}

/** The program behind the entry point: real signal handlers first, then the CLI. */
export function start(early: EarlySignals): void {
  const argv = process.argv.slice(2);
  const signals = installSignals(process, {
    hangupReloads: commandOf(argv) === 'daemon',
    trees: liveTrees,
    stderr: process.stderr,
    exit: (code) => exitNow(code),
    earlier: early.held,
  });
  // Only now that the real handlers listen: a signal left with no listener gets its default
  // action back at once.
  for (const signal of STOP_AND_RELOAD_SIGNALS) process.off(signal, early.hold);
  // Whatever way the process ends, no restic (or what restic started) outlives it.
  process.on('exit', () => liveTrees.killAll());

  // V8 then lets the heap grow to about twice the live data instead of four times before it
  // collects: for ~10% more CPU, peak RSS falls by a third (bench/RESULTS.md: a daemon's 151 ->
  // 105 MiB, a 10,000-snapshot listing's 115 -> 82 MiB). A monitor should stay small.
  setFlagsFromString('--optimize-for-size');
  // And the young generation keeps the size it starts with instead of doubling up to 2 x 16
  // MiB under a burst of allocation, which no later collection gives back until the heap
  // is reduced: a daemon of 1,000 repositories checked back to back swung between 90 and 115
  // MiB and now stays under 91; a one-shot run of 300 peaks at 81 instead of 96 MiB (the
  // sizes of the semi-spaces themselves are fixed when Node starts; this factor is read at
  // each growth). The cost is more scavenges: +12-18% CPU per cycle in that back-to-back
  // daemon, nothing measurable in one-shot runs.
  setFlagsFromString('--semi-space-growth-factor=1');

  import('./main.js')
    .then(({ main }) =>
      main(argv, {
        stdout: process.stdout,
        stderr: process.stderr,
        env: process.env,
        now: () => new Date(),
        signal: signals.signal,
        hangup: signals.hangups,
      }),
    )
    .then(
      (code) => {
        process.exitCode = code;
      },
      (error: unknown) => {
        // Only a bug gets here; say so plainly, without the stack a user cannot act on, and with
        // the environment's secrets masked (the config's are not known here).
        process.stderr.write(`restic-monitor: internal error: ${redactorFor(process.env).redact((error as Error)?.message ?? String(error))}\n`);
        process.exitCode = 1;
      },
    )
    // The result is out: a request that can never end (a stuck mount) must not hold the exit.
    .then(() => armExitBackstop(() => Number(process.exitCode ?? 0)));
}

function commandOf(args: readonly string[]): string | undefined {
  try {
    return parseCommandLine(args).command;
  } catch {
    return undefined; // main reports the usage error
  }
}
