// The local URL form, apart from the local checker so that config/ and the plan read it
// without importing a checker (the layer rule in test/layers.unit.test.ts).

/** restic 0.14's backend prefixes; a location with none of them is a local path. */
const RESTIC_BACKENDS = ['b2', 'local', 'sftp', 's3', 'swift', 'rest', 'rclone', 'azure', 'gs'];

/** The directory of a local repository (`/srv/restic`, `local:/srv/restic`), else undefined. */
export function localRepositoryPath(url: string): string | undefined {
  if (url.startsWith('local:')) return url.slice('local:'.length) || undefined;
  const scheme = /^([a-z0-9]+):/.exec(url)?.[1];
  if (scheme !== undefined && RESTIC_BACKENDS.includes(scheme)) return undefined;
  return url === '' ? undefined : url;
}
