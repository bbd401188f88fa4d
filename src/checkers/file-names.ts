/**
 * restic names every file under `keys/`, `snapshots/`, `locks/` (and `data/`, `index/`) by
 * the SHA-256 of its content, 64 lower-case hex digits, and reads only the direct children
 * of those directories. Every checker that lists files counts by this one rule: the fast
 * checkers (local, S3, rclone) for `snapshots/`, the built-in reader's backends for the
 * three it reads. A stray `.DS_Store`, an NFS `.nfsXXXX`, a half-copied temp file or an
 * object below `snapshots/x/` is never taken for a backup.
 *
 * An ID inside a file's JSON (reader/go-json.ts goId) is another rule: Go decodes hex of
 * either case there, and so does the reader.
 */
const FILE_NAME = /^[0-9a-f]{64}$/;

/** A file name (no directory part) that restic would read. */
export function isResticFileName(name: string): boolean {
  return FILE_NAME.test(name);
}

/** An object key that is a direct child of `prefix` (`<repo>/snapshots/`) and a restic file name. */
export function isSnapshotKey(key: string, prefix: string): boolean {
  return key.startsWith(prefix) && isResticFileName(key.slice(prefix.length));
}
