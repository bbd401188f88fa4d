import { JsonArrayStream, JsonStreamError } from './json-array-stream.js';

/** What the monitor needs from one entry of `restic snapshots --json`. */
export interface SnapshotSummary {
  time: Date;
  hostname: string;
  /** Empty when restic omitted the field (no tags). */
  tags: string[];
  paths: string[];
}

export class OutputError extends Error {}

/**
 * Reads `restic snapshots --json` as it streams in: a flat array, oldest first, `[]` when
 * empty. Fields vary between restic versions, so only `time` is required. Times carry the
 * backup host's own zone and nanoseconds: they are compared as instants, never as strings.
 * Only the few fields the monitor needs are kept per snapshot.
 */
export class SnapshotReader {
  readonly snapshots: SnapshotSummary[] = [];
  private readonly stream = new JsonArrayStream((entry) => this.add(entry));
  private failure: OutputError | undefined;

  push(chunk: Buffer | string): void {
    if (this.failure) return;
    try {
      this.stream.push(chunk);
    } catch (error) {
      this.failure = toOutputError(error);
    }
  }

  /** The snapshots read, or an OutputError saying what was wrong with the output. */
  end(): SnapshotSummary[] {
    if (!this.failure) {
      try {
        this.stream.end();
      } catch (error) {
        this.failure = toOutputError(error);
      }
    }
    if (this.failure) throw this.failure;
    return this.snapshots;
  }

  private add(entry: unknown): void {
    const item = entry as { time?: unknown; hostname?: unknown; tags?: unknown; paths?: unknown };
    const time = typeof item.time === 'string' ? new Date(Date.parse(item.time)) : undefined;
    if (!time || Number.isNaN(time.getTime())) throw new OutputError(`snapshot ${this.snapshots.length + 1} has no readable time`);
    this.snapshots.push({ time, hostname: typeof item.hostname === 'string' ? item.hostname : '', tags: strings(item.tags), paths: strings(item.paths) });
  }
}

const STREAM_ERRORS: Record<string, string> = {
  'empty output': 'restic printed nothing',
  'not a JSON list': 'restic printed something that is not JSON',
  'the JSON list ends early': "restic's output was cut short",
};

function toOutputError(error: unknown): OutputError {
  if (error instanceof OutputError) return error;
  if (error instanceof JsonStreamError) return new OutputError(STREAM_ERRORS[error.message] ?? `restic printed malformed JSON (${error.message})`);
  // Anything else thrown while reading (a string too long for V8, say) must not escape the
  // stream's data handler, where it would end the process: it is a reading failure too.
  return new OutputError(`restic's output could not be read (${(error as Error)?.message ?? String(error)})`);
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

export function newest(snapshots: readonly SnapshotSummary[]): Date | null {
  let best: Date | null = null;
  for (const { time } of snapshots) if (best === null || time.getTime() > best.getTime()) best = time;
  return best;
}
