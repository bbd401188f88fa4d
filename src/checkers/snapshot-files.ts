/**
 * restic names each file under `snapshots/` by the SHA-256 of its content, and reads only
 * the direct children of that directory. Every fast checker (local, S3, rclone) counts by this
 * one rule, so a stray `.DS_Store`, an NFS `.nfsXXXX`, a half-copied temp file or an object
 * below `snapshots/x/` is never taken for a backup.
 */
const SNAPSHOT_NAME = /^[0-9a-f]{64}$/;

/** A file name (no directory part) that restic would read as a snapshot. */
export function isSnapshotName(name: string): boolean {
  return SNAPSHOT_NAME.test(name);
}

/** An object key that is a direct child of `prefix` (`<repo>/snapshots/`) and a snapshot name. */
export function isSnapshotKey(key: string, prefix: string): boolean {
  return key.startsWith(prefix) && isSnapshotName(key.slice(prefix.length));
}
