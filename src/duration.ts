import ms from 'ms';

// Go's time.ParseDuration units, plus d and w which Go lacks but restic users write.
const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};
const COMPOUND = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d|w))+$/;
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/g;

/**
 * Parses "1d", "6h", "30m", "1w" (ms-style, also "1 day") and Go compound forms
 * ("1h30m", "2h45m30s"). Returns undefined for anything else, including zero and
 * negative values: a max age of zero would make every repository stale.
 */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  let value: number | undefined;
  if (COMPOUND.test(trimmed)) {
    value = 0;
    for (const [, amount, unit] of trimmed.matchAll(PART)) value += Number(amount) * UNIT_MS[unit!]!;
  } else if (/^[a-z0-9. ]+$/i.test(trimmed) && /[a-z]/i.test(trimmed)) {
    // ms() also reads "2 days", "1.5h"; a bare number ("60") is refused: its unit is a guess.
    value = ms(trimmed as ms.StringValue);
  }
  if (value === undefined || !Number.isFinite(value) || value <= 0) return undefined;
  return Math.round(value);
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
  let rest = Math.max(0, Math.floor(Math.abs(milliseconds) / 1000) * 1000);
  if (rest === 0) return '0s';
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
  return parts.join('');
}
