// Byte sizes, percentages and counts as the health signals' keys take them. Pure: one value
// in, a number or a message out.

const DECIMAL: Readonly<Record<string, number>> = { b: 1, kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12, pb: 1e15 };
const BINARY: Readonly<Record<string, number>> = { kib: 2 ** 10, mib: 2 ** 20, gib: 2 ** 30, tib: 2 ** 40, pib: 2 ** 50 };
const SIZE = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i;
const SIZE_HINT = 'write it like 10MiB, 1.5GB, 500KiB or a number of bytes';

export type Parsed = { value: number } | { error: string };

/**
 * "10MiB", "1.5GB", "500KiB", "2048" or a YAML number: bytes. Units are restic's: KiB and
 * friends are powers of 1024, kB/MB/GB powers of 1000. A bare "10M" is refused: restic reads
 * it as MiB, many people as MB, and a limit off by 5% is not worth guessing.
 */
export function readSize(raw: unknown): Parsed {
  if (typeof raw === 'number') {
    return Number.isInteger(raw) && raw >= 0 ? { value: raw } : { error: `${raw} is not a size (${SIZE_HINT})` };
  }
  const text = String(raw).trim();
  const match = SIZE.exec(text);
  const unit = match?.[2]?.toLowerCase() ?? '';
  const factor = unit === '' ? 1 : (DECIMAL[unit] ?? BINARY[unit]);
  if (!match || factor === undefined) return { error: `"${raw}" is not a size (${SIZE_HINT})` };
  const bytes = Number(match[1]) * factor;
  if (!Number.isSafeInteger(Math.round(bytes))) return { error: `"${raw}" is too large` };
  return { value: Math.round(bytes) };
}

/** "50%" (0% to 100%): the fraction 0.5. A bare number is refused: 0.5 could mean either. */
export function readPercent(raw: unknown): Parsed {
  const match = /^(\d+(?:\.\d+)?)\s*%$/.exec(typeof raw === 'string' ? raw.trim() : '');
  if (!match) return { error: `${typeof raw === 'string' ? `"${raw}"` : String(raw)} is not a percentage (write it like 50%)` };
  const percent = Number(match[1]);
  if (percent > 100) return { error: `"${raw}" is out of range (0% to 100%)` };
  return { value: percent / 100 };
}

/** A whole number of files or snapshots, 0 or more (0 turns the signal off). */
export function readCount(raw: unknown): Parsed {
  if (typeof raw === 'number' && Number.isSafeInteger(raw) && raw >= 0) return { value: raw };
  const shown = typeof raw === 'string' ? `"${raw}"` : String(raw);
  return { error: `${shown} is not a whole number of 0 or more` };
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'] as const;

/** 1536 -> "1.5 KiB", 0 -> "0 B": sizes in messages, in the units restic prints. */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  const shown = unit === 0 ? String(value) : value >= 100 ? value.toFixed(0) : Number(value.toFixed(value >= 10 ? 1 : 2)).toString();
  return `${shown} ${UNITS[unit]}`;
}

/** 0.5 -> "50%", 0.125 -> "12.5%". */
export function formatPercent(fraction: number): string {
  return `${Number((fraction * 100).toFixed(1))}%`;
}
