// What the signals whose limit is one value of one key share: reading it, and the words of
// their messages.
import type { Parsed } from '../config/sizes.js';
import type { ReadContext } from './signal.js';

export interface LimitReader {
  read: (raw: unknown) => Parsed;
  /** The raw YAML values the reader takes; any other was reported by the key's kind (config/schema.ts). */
  accepts: (raw: unknown) => boolean;
  /** The value that can never fail: it switches off a limit inherited from defaults. */
  off?: number;
}

/** The limit of `key` for one check; undefined when unset, switched off, or bad (reported). */
export function readLimit(context: ReadContext, key: string, { read, accepts, off }: LimitReader): number | undefined {
  const raw = context.value(key);
  if (raw === undefined || raw === null || !accepts(raw)) return undefined;
  const parsed = read(raw);
  if ('error' in parsed) {
    context.fail(`${context.where(key)}.${key}: ${parsed.error}`);
    return undefined;
  }
  return parsed.value === off ? undefined : parsed.value;
}

export const isScalar = (raw: unknown) => typeof raw === 'string' || typeof raw === 'number';

export const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** A fraction as a percentage with two decimals at most: 0.12345 -> 12.35. */
export function percent(fraction: number): number {
  return Math.round(fraction * 100 * 100) / 100;
}

/** Why a limit on the newest snapshot's size was not judged. */
export const NO_SUMMARY = 'size not checked: the latest snapshot has no summary (restic before 0.17)';
