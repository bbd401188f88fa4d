/**
 * restic names each file under `snapshots/` by the SHA-256 of its content. Fast checkers
 * count only such names, so a stray `.DS_Store`, an NFS `.nfsXXXX` or a half-copied temp
 * file is never taken for a backup.
 */
export const SNAPSHOT_FILE = /^[0-9a-f]{64}$/;
