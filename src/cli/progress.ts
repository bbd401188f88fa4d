import type { Sink } from '../log.js';

/** A stream that may be a terminal (process.stderr is; a pipe or a file is not). */
export type Terminal = Sink & { isTTY?: boolean };

export interface Progress {
  /** Where log lines go while the count is shown: each clears the count and redraws it. */
  readonly sink: Sink;
  /** One more check done. */
  tick(): void;
  /** Clears the count, so that the final output starts on a clean line. */
  done(): void;
}

/** Back to the line's start, then erase to its end (ECMA-48 EL 0). */
const CLEAR = '\r\u001b[K';

/**
 * "12/1000 checked", redrawn in place on stderr as checks end, so that a long run on a
 * terminal is not silent for a minute. Only on a terminal: cron mail, pipes and files get
 * nothing of it (a carriage return there is noise).
 */
export function createProgress(stderr: Terminal, total: number): Progress {
  if (!stderr.isTTY) return { sink: stderr, tick: () => {}, done: () => {} };
  let checked = 0;
  let shown = false;
  const draw = () => {
    stderr.write(`${CLEAR}${checked}/${total} checked`);
    shown = true;
  };
  const clear = () => {
    if (shown) stderr.write(CLEAR);
    shown = false;
  };
  draw();
  let finished = false;
  return {
    sink: {
      write: (text: string) => {
        clear();
        stderr.write(text);
        if (!finished) draw();
      },
    },
    tick: () => {
      checked += 1;
      if (!finished) draw();
    },
    done: () => {
      finished = true;
      clear();
    },
  };
}
