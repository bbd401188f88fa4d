// A drill's canary: what the file read back from the latest snapshot says. Pure: its
// content in, the time the backup job wrote into it (or what is wrong with it) out.
import { clip } from '../text.js';

/** `date -Is` (`2026-12-02T02:51:31+00:00`), `date -Ins` (comma fraction), `...Z`: a zone is required. */
const ISO = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:[.,](\d+))?(Z|[+-]\d{2}:?\d{2})$/i;
/** `date +%s` (optionally `%s.%N`): Unix seconds. */
const UNIX = /^\d{1,12}(?:\.\d+)?$/;
/** How much of an unreadable canary a message shows. */
const SHOWN_CHARS = 40;

export type CanaryReading = { writtenAt: Date } | { error: string };

/**
 * The timestamp in a canary's content, trimmed; anything else is an error naming what was
 * found. `redact` runs before the content is cut short: a cut through a secret would hide it.
 */
export function readCanary(content: string, redact: (text: string) => string = (text) => text): CanaryReading {
  const text = content.trim();
  if (text === '') return { error: 'canary is empty (expected the output of date -Is or Unix seconds)' };
  const unix = UNIX.exec(text);
  if (unix) return { writtenAt: new Date(Math.round(Number(text) * 1000)) };
  const iso = ISO.exec(text);
  if (iso) {
    const [, day, clock, fraction, zone] = iso;
    // Date.parse takes milliseconds; `date -Ins` writes nanoseconds.
    const millis = fraction === undefined ? '' : `.${fraction.slice(0, 3).padEnd(3, '0')}`;
    const offset = zone!.toUpperCase() === 'Z' ? 'Z' : zone!.includes(':') ? zone! : `${zone!.slice(0, 3)}:${zone!.slice(3)}`;
    const time = Date.parse(`${day}T${clock}${millis}${offset}`);
    if (!Number.isNaN(time)) return { writtenAt: new Date(time) };
  }
  if (BINARY.test(text)) return { error: 'canary holds binary data, not a timestamp (a directory? restic dump writes one as a tar stream)' };
  return { error: `canary holds no timestamp: ${showFound(redact(text))} (expected the output of date -Is or Unix seconds)` };
}

/** Control bytes or bytes that are not UTF-8: not a text file, so nothing of it is shown. */
const BINARY = /[\u0000-\u0008\u000e-\u001f\u007f\ufffd]/;

/** What was found, on one line, quoted and cut short: a file that is not the canary may hold anything. */
export function showFound(text: string): string {
  return JSON.stringify(clip(text.replace(/\s+/g, ' '), SHOWN_CHARS));
}
