/**
 * How Go's encoding/json round-trips the types restic's Snapshot struct uses: restic
 * decodes each snapshot file into that struct and encodes it again for `--json`, so its
 * output is the file's content seen through these rules, not the file's text.
 * Every function is pure and throws GoJsonError for a value Go would refuse to decode.
 */
export class GoJsonError extends Error {}

/** Go's zero time.Time, as MarshalJSON writes it. */
export const ZERO_TIME = '0001-01-01T00:00:00Z';

/**
 * A time Go decodes but cannot encode again: restic 0.18+ then fails its whole listing
 * (MarshalJSON: "timezone hour outside of range"), and 0.14 prints an offset no RFC 3339
 * reader accepts. Not a decoding error: the file is not skipped, the check fails.
 */
export class GoUnprintableTime extends Error {}

/**
 * time.Time: decoded as time.Time.UnmarshalJSON decodes (read from Go 1.19 to 1.26, the
 * versions restic 0.14 to 0.19.1 are built with, and tried against each: they agree) and
 * written back as RFC3339Nano, which keeps at most nanoseconds, drops trailing zeros of the
 * fraction (and the dot with them) and writes a zero offset as "Z". `raw`, the file's JSON
 * text, tells an escaped string from a plain one: Go parses the string without unescaping it.
 */
export function goTime(value: unknown, field: string, raw?: string): string {
  if (value === undefined || value === null) return ZERO_TIME;
  if (typeof value !== 'string') throw new GoJsonError(`"${field}" is not an RFC 3339 time: not a string`);
  const time = parseGoTime(value);
  if (typeof time === 'string') throw new GoJsonError(`"${field}" is not an RFC 3339 time: ${time}`);
  if (raw !== undefined && !raw.includes(`"${value}"`)) throw new GoJsonError(`"${field}" is not an RFC 3339 time: it is written with a JSON escape`);
  const offset = Math.abs(time.offsetSeconds);
  if (offset >= 24 * 3600) throw new GoUnprintableTime(`"${field}" has a time zone offset of 24 hours or more, which restic cannot print`);
  const zone = time.offsetSeconds === 0 ? 'Z' : `${time.offsetSeconds < 0 ? '-' : '+'}${two(Math.floor(offset / 3600))}:${two((offset / 60) % 60)}`;
  const nanos = time.nanos.replace(/0+$/, '');
  return `${time.date}T${two(time.hour)}:${two(time.minute)}:${two(time.second)}${nanos ? `.${nanos}` : ''}${zone}`;
}

interface GoTime {
  /** YYYY-MM-DD as written. */
  date: string;
  hour: number;
  minute: number;
  second: number;
  /** Nine digits. */
  nanos: string;
  offsetSeconds: number;
}

/**
 * Pure: time.Parse(time.RFC3339, text), or why Go refuses it. Go's layout parser is looser
 * than RFC 3339 in three places restic therefore accepts too: a one-digit hour ("T1:28:40Z"),
 * a comma before the fraction ("40,5Z"), and offsets up to +24:60. It is strict elsewhere:
 * upper-case T and Z only, exactly four year digits, two-digit month, day, minute, second;
 * month 1-12, a day that exists in that month (leap years included), hour below 24, minute
 * and second below 60; a fraction of any length, of which nanoseconds are kept.
 */
export function parseGoTime(text: string): GoTime | string {
  let at = 0;
  const digit = (offset = 0) => at + offset < text.length && text.charCodeAt(at + offset) >= 48 && text.charCodeAt(at + offset) <= 57;
  const number = (length: number): number | undefined => {
    for (let i = 0; i < length; i++) if (!digit(i)) return undefined;
    const value = Number(text.slice(at, at + length));
    at += length;
    return value;
  };
  const literal = (char: string) => text[at] === char && (at++, true);
  const year = number(4);
  if (year === undefined || !literal('-')) return 'cannot parse the year';
  const month = number(2);
  if (month === undefined || !literal('-')) return 'cannot parse the month';
  if (month < 1 || month > 12) return 'month out of range';
  const day = number(2);
  if (day === undefined || !literal('T')) return 'cannot parse the day';
  // Go's "15" takes one digit or two.
  const hour = number(digit(1) ? 2 : 1);
  if (hour === undefined || !literal(':')) return 'cannot parse the hour';
  if (hour >= 24) return 'hour out of range';
  const minute = number(2);
  if (minute === undefined || !literal(':')) return 'cannot parse the minute';
  if (minute >= 60) return 'minute out of range';
  const second = number(2);
  if (second === undefined) return 'cannot parse the second';
  if (second >= 60) return 'second out of range';
  let nanos = '000000000';
  if ((text[at] === '.' || text[at] === ',') && digit(1)) {
    const start = ++at;
    while (digit()) at++;
    nanos = text.slice(start, Math.min(at, start + 9)).padEnd(9, '0');
  }
  let offsetSeconds = 0;
  if (text[at] === 'Z') at++;
  else {
    const sign = text[at];
    if ((sign !== '+' && sign !== '-') || text[at + 3] !== ':') return 'cannot parse the time zone';
    at++;
    const hours = number(2);
    at++;
    const minutes = number(2);
    if (hours === undefined || minutes === undefined) return 'cannot parse the time zone';
    if (hours > 24) return 'time zone offset hour out of range';
    if (minutes > 60) return 'time zone offset minute out of range';
    offsetSeconds = (sign === '-' ? -1 : 1) * (hours * 60 + minutes) * 60;
  }
  if (at !== text.length) return 'extra text after the time';
  if (day < 1 || day > daysIn(month, year)) return 'day out of range';
  return { date: text.slice(0, 10), hour, minute, second, nanos, offsetSeconds };
}

function daysIn(month: number, year: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

function two(value: number): string {
  return String(value).padStart(2, '0');
}

/** restic.ID: 64 hex digits, written back in lower case. null or missing: nil. */
export function goId(value: unknown, field: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' || !/^[0-9a-fA-F]{64}$/.test(value)) throw new GoJsonError(`"${field}" is not a restic ID`);
  return value.toLowerCase();
}

/** string: missing or null is "". */
export function goString(value: unknown, field: string): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw new GoJsonError(`"${field}" is not a string`);
  return value;
}

/** []string: missing or null is a nil slice (encoded as null), [] stays []. */
export function goStrings(value: unknown, field: string): string[] | null {
  if (value === undefined || value === null) return null;
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) throw new GoJsonError(`"${field}" is not a list of strings`);
  return value as string[];
}

/** Unsigned and signed integers: missing or null is 0; fractions and out-of-range values are refused. */
export function goInteger(value: unknown, field: string, unsigned: boolean): number {
  if (value === undefined || value === null) return 0;
  if (typeof value !== 'number' || !Number.isInteger(value) || (unsigned && value < 0)) throw new GoJsonError(`"${field}" is not ${unsigned ? 'an unsigned' : 'an'} integer`);
  return value;
}

/** uint32 (uid, gid). */
export function goUint32(value: unknown, field: string): number {
  const number = goInteger(value, field, true);
  if (number > 0xffff_ffff) throw new GoJsonError(`"${field}" is out of range`);
  return number;
}

/** sort.Strings: byte order of the UTF-8 encoding (UTF-16 order differs beyond U+FFFF). */
export function goSortStrings(values: string[] | null): string[] | null {
  if (values === null) return null;
  return [...values].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}
