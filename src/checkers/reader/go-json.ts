/**
 * How Go's encoding/json round-trips the types restic's Snapshot struct uses: restic
 * decodes each snapshot file into that struct and encodes it again for `--json`, so its
 * output is the file's content seen through these rules, not the file's text.
 * Every function is pure and throws GoJsonError for a value Go would refuse to decode.
 */
export class GoJsonError extends Error {}

const RFC3339 = /^(\d{4}-\d{2}-\d{2})[Tt](\d{2}:\d{2}:\d{2})(?:\.(\d+))?([Zz]|[+-]\d{2}:\d{2})$/;

/** Go's zero time.Time, as MarshalJSON writes it. */
export const ZERO_TIME = '0001-01-01T00:00:00Z';

/**
 * time.Time: parsed from RFC 3339 and written back as RFC3339Nano, which keeps at most
 * nanoseconds, drops trailing zeros of the fraction (and the dot with them) and writes a
 * zero offset as "Z".
 */
export function goTime(value: unknown, field: string): string {
  if (value === undefined || value === null) return ZERO_TIME;
  const match = typeof value === 'string' ? RFC3339.exec(value) : null;
  if (!match) throw new GoJsonError(`"${field}" is not an RFC 3339 time`);
  const [, date, clock, fraction = '', zone] = match as unknown as [string, string, string, string | undefined, string];
  const nanos = fraction.slice(0, 9).replace(/0+$/, '');
  const offset = zone === 'Z' || zone === 'z' || zone.slice(1) === '00:00' ? 'Z' : zone;
  return `${date}T${clock}${nanos ? `.${nanos}` : ''}${offset}`;
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
