/**
 * One duration grammar for every key: Go's time.ParseDuration (a sequence of decimal numbers,
 * each with a unit: ns, us/µs, ms, s, m, h; fractions allowed on any of them, `+` allowed in
 * front) plus `d` (24h) and `w` (7d), which Go lacks but restic users write (`1d12h`).
 * Units are case-sensitive, as in Go: `1M` is not a month, and not a minute either.
 * Written out rather than taken from `ms`: ms reads `1M` as a minute and `2 days` as a
 * duration, and a config must not mean something the person did not write.
 */
const UNIT_MS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3, // U+00B5 micro sign, as Go accepts
  μs: 1e-3, // U+03BC Greek mu, as Go accepts
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};
// Go's number: digits with an optional fraction, or a fraction alone ("1", "1.5", "1.", ".5").
const NUMBER = String.raw`(?:\d+(?:\.\d*)?|\.\d+)`;
// Longer units first, so that "ms" is never read as "m" followed by a stray "s".
const UNIT = 'ns|us|µs|μs|ms|s|m|h|d|w';
const DURATION = new RegExp(`^([+-]?)((?:${NUMBER}(?:${UNIT}))+)$`);
const PART = new RegExp(`(${NUMBER})(${UNIT})`, 'g');
const UNIT_LIST = 'ns, us, ms, s, m, h, d, w';
const EXAMPLES = '(e.g. 1d, 6h, 30m, 1h30m)';

export type DurationResult = { ms: number } | { error: string };

/**
 * Reads a duration as milliseconds (rounded to the nearest one), or says what is wrong with
 * it; the error starts with the value in quotes, so that a caller prefixes only its key path.
 * Zero, negative and sub-millisecond values are errors: a max age of zero would make every
 * repository stale, and a timer cannot wait less than 1 ms.
 */
export function readDuration(text: string): DurationResult {
  const trimmed = text.trim();
  const quoted = `"${text}"`;
  const match = DURATION.exec(trimmed);
  if (!match) {
    if (/^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/.test(trimmed)) {
      if (Number(trimmed) <= 0) return { error: `${quoted} must be more than zero` };
      const number = trimmed.replace(/^\+/, '');
      return { error: `${quoted} is not a duration: it has no unit (e.g. ${number}s or ${number}m)` };
    }
    if (DURATION.test(trimmed.toLowerCase())) return { error: `${quoted} is not a duration: units are ${UNIT_LIST}, in lower case` };
    return { error: `${quoted} is not a duration ${EXAMPLES}` };
  }
  let value = 0;
  for (const [, amount, unit] of match[2]!.matchAll(PART)) value += Number(amount) * UNIT_MS[unit!]!;
  if (value === 0 || match[1] === '-') return { error: `${quoted} must be more than zero` };
  if (value < 1) return { error: `${quoted} must be at least 1ms` };
  if (!Number.isSafeInteger(Math.round(value))) return { error: `${quoted} is too long` };
  return { ms: Math.round(value) };
}

/** readDuration without the reason: milliseconds, or undefined for anything it refuses. */
export function parseDuration(text: string): number | undefined {
  const result = readDuration(text);
  return 'ms' in result ? result.ms : undefined;
}

const DISPLAY_UNITS: Array<[string, number]> = [
  ['d', UNIT_MS.d!],
  ['h', UNIT_MS.h!],
  ['m', UNIT_MS.m!],
  ['s', UNIT_MS.s!],
];

/**
 * "2d4h", "3h12m", "45s": an age in its two largest units, enough for a person to act on.
 * `exact` shows every unit down to seconds ("1d30m"): for configured limits, which a
 * message must not round.
 */
export function formatDuration(milliseconds: number, exact = false): string {
  const whole = Math.floor(Math.abs(milliseconds));
  let rest = Math.floor(whole / 1000) * 1000;
  // Exact (a configured limit) keeps its milliseconds: a timeout of 1500ms is not "1s".
  const millis = exact ? whole - rest : 0;
  if (rest === 0) return millis > 0 ? `${millis}ms` : '0s';
  const parts: string[] = [];
  for (const [unit, size] of DISPLAY_UNITS) {
    if (!exact && parts.length === 2) break;
    const count = Math.floor(rest / size);
    if (count > 0) {
      parts.push(`${count}${unit}`);
      rest -= count * size;
    } else if (parts.length > 0 && !exact) {
      break; // "1d" not "1d0h": a zero middle unit ends the phrase
    }
  }
  if (millis > 0) parts.push(`${millis}ms`);
  return parts.join('');
}

/**
 * The longest duration a config may give a timer, as a config error states it: whole
 * seconds (24d20h31m23s), a value the user can write and that fits, not 2^31-1 ms exactly.
 */
export function longestTimerText(maxTimerMs: number): string {
  return formatDuration(Math.floor(maxTimerMs / 1000) * 1000, true);
}
