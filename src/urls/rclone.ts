// The rclone URL form, apart from the rclone checker so that the plan reads it without
// importing a checker (the layer rule in test/layers.unit.test.ts).

/** `rclone:remote:path` -> `remote:path` (what restic hands to rclone), else undefined. */
export function rcloneRemote(url: string): string | undefined {
  if (!url.startsWith('rclone:')) return undefined;
  const spec = url.slice('rclone:'.length);
  return spec.includes(':') ? spec : undefined;
}

/**
 * The snapshots directory under a remote spec, joined as rclone joins paths. The trailing
 * slash says "a directory": without it, rclone's S3 backend first sends a HEAD to learn
 * whether the path is a file.
 */
export function snapshotsDir(remote: string): string {
  return remote.endsWith(':') || remote.endsWith('/') ? `${remote}snapshots/` : `${remote}/snapshots/`;
}

/** The locks directory under a remote spec (the lock listing), joined as snapshotsDir joins. */
export function locksDir(remote: string): string {
  return remote.endsWith(':') || remote.endsWith('/') ? `${remote}locks/` : `${remote}/locks/`;
}
