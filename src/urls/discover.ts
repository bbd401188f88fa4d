// The URL forms `discover:` reads: where a location is, the URL of a repository found below
// it, and one normalized form per repository so that "is it configured?" compares like
// with like. Pure; apart from discover/ so that config/ validates locations with it.
import { posix, resolve } from 'node:path';
import { localRepositoryPath } from './local.js';
import { parseRcloneSpec, rcloneRemote } from './rclone.js';
import { isS3Url, parseS3Url } from './s3.js';

export type LocationKind = 's3' | 'local' | 'rclone';

/** Which lister a location needs, or why none can list it. */
export function locationKind(url: string): LocationKind | { error: string } {
  if (isS3Url(url)) {
    const parsed = parseS3Url(url);
    return 'error' in parsed ? { error: parsed.error } : 's3';
  }
  if (url.startsWith('rclone:')) return rcloneRemote(url) === undefined ? { error: 'needs the form rclone:REMOTE:PATH' } : 'rclone';
  if (localRepositoryPath(url) !== undefined) return 'local';
  const scheme = /^([a-z0-9]+):/.exec(url)?.[1] ?? url;
  return { error: `cannot be listed: discover reads s3: prefixes, rclone:REMOTE:PATH and local directories, not ${scheme}:` };
}

/** The URL of the repository at `path` (segments) below `location`, in the location's own form. */
export function childUrl(location: string, path: readonly string[]): string {
  if (path.length === 0) return location;
  const below = path.join('/');
  if (location.startsWith('rclone:') && location.endsWith(':')) return `${location}${below}`;
  return `${location.replace(/\/+$/, '')}/${below}`;
}

/**
 * One text per repository, whatever way its URL was written: `s3:host/b/p`, `s3:https://host:443/b/p/`
 * and `s3://host/b/p` are one; `/srv/r/`, `local:/srv/r` and `/srv/./r` are one (resolved
 * against the working directory); `rclone:nas:/r/` and `rclone:nas:/r` are one. Anything
 * else is compared as written.
 */
export function normalizeRepositoryUrl(url: string): string {
  if (isS3Url(url)) {
    const parsed = parseS3Url(url);
    if ('error' in parsed) return url;
    const scheme = parsed.useTls ? 'https' : 'http';
    const endpoint = parsed.endpoint.toLowerCase().replace(parsed.useTls ? /:443$/ : /:80$/, '');
    return `s3:${scheme}://${endpoint}/${parsed.bucket}/${parsed.prefix}`.replace(/\/$/, '');
  }
  const remote = rcloneRemote(url);
  const parsed = remote === undefined ? undefined : parseRcloneSpec(remote);
  if (remote !== undefined && parsed !== undefined) {
    // The remote as written (a connection string holds "//" and ":" of its own), the path cleaned.
    const path = remote.slice(parsed.pathStart);
    const cleaned = path === '' ? '' : posix.normalize(path).replace(/(.)\/+$/, '$1');
    return `rclone:${remote.slice(0, parsed.pathStart)}${cleaned === '.' ? '' : cleaned}`;
  }
  if (url.startsWith('rclone:')) return url;
  const local = localRepositoryPath(url);
  return local === undefined ? url : resolve(local);
}

/** The name of a repository found at the location itself: its last path segment. */
export function rootName(location: string): string {
  const trimmed = location.replace(/\/+$/, '');
  const last = trimmed.slice(Math.max(trimmed.lastIndexOf('/'), trimmed.lastIndexOf(':')) + 1);
  return last === '' ? 'repository' : last;
}
