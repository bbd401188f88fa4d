import { describeType } from './errors.js';
import { isMapping } from './mapping.js';
import type { RawKind } from './keys.js';

// The keys themselves are declared in keys.ts; this checks a raw value's shape.
export { REPOSITORY_KEYS, TOP_LEVEL_KEYS, type RawKind } from './keys.js';

export { isMapping };

/** Returns a problem text when `value` is not of `kind`, else undefined. */
export function checkKind(path: string, value: unknown, kind: RawKind): string | undefined {
  switch (kind) {
    case 'string':
      if (typeof value === 'string') return undefined;
      if (typeof value === 'number' || typeof value === 'boolean') {
        return `${path}: expected a string, got ${describeType(value)} (put it in quotes)`;
      }
      return `${path}: expected a string, got ${describeType(value)}`;
    case 'map':
      return isMapping(value) ? undefined : `${path}: expected a mapping, got ${describeType(value)}`;
    case 'map-or-false':
      return isMapping(value) || value === false ? undefined : `${path}: expected a mapping, or false to switch off the one set in defaults, got ${describeType(value)}`;
    case 'list':
      if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return undefined;
      return `${path}: expected a list of strings, got ${describeType(value)}`;
    case 'integer':
      return Number.isInteger(value) ? undefined : `${path}: expected a whole number, got ${describeType(value)}`;
    case 'scalar':
      // The key's own reader (its signal's module) says what the value should look like.
      return typeof value === 'string' || typeof value === 'number' ? undefined : `${path}: expected a single value, got ${describeType(value)}`;
    case 'discover':
      return Array.isArray(value) ? undefined : `${path}: expected a list of locations (- url: s3:https://HOST/BUCKET/PREFIX), got ${describeType(value)}`;
    case 'hosts':
      return isMapping(value) ? undefined : `${path}: expected a mapping of host names (host: { push_token: ... }), got ${describeType(value)}`;
  }
}
