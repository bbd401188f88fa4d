/**
 * The one "newest" reduction: every checker keeps the newest of what it sees this way (a
 * snapshot's time, a snapshot file's mtime, an object's LastModified), one item at a time,
 * so that a listing of any length is followed in flat memory. Ties keep the first seen; a
 * time that is not a number (NaN) is counted but never the newest.
 */
export class Newest<T> {
  private best: T | undefined;
  private bestAt = -Infinity;
  private seen = 0;

  constructor(private readonly timeOf: (item: T) => number) {}

  offer(item: T): void {
    this.seen++;
    const at = this.timeOf(item);
    if (at > this.bestAt) {
      this.best = item;
      this.bestAt = at;
    }
  }

  /** The newest item offered; undefined when none was. */
  get item(): T | undefined {
    return this.best;
  }

  /** How many items were offered. */
  get count(): number {
    return this.seen;
  }
}

/** Pure: the newest of `items` by `timeOf`; undefined for none. */
export function newestOf<T>(items: Iterable<T>, timeOf: (item: T) => number): T | undefined {
  const newest = new Newest(timeOf);
  for (const item of items) newest.offer(item);
  return newest.item;
}
