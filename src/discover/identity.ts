// What a repository is, as opposed to the path or URL it was found under, so that "does a
// check cover it?" compares repositories and not their names. A local repository is its real
// path: a symlink or `..` in front of it is not another repository.
//
// S3 and rclone repositories stay their normalized URL (urls/discover.ts). Their `config`
// file cannot tell them apart password-free: it is encrypted (its id needs the key), and a
// copy made with `rclone sync` has the same bytes, and the same id, as the repository it
// copies while being a copy that can go stale on its own: comparing ids or bytes would let a
// monitored primary hide an unmonitored mirror.
import { realpath } from 'node:fs/promises';
import { resolve } from 'node:path';
import { runWithin } from '../abort/deadline.js';
import { mapLimit } from '../pool.js';
import { normalizeRepositoryUrl } from '../urls/discover.js';
import { localRepositoryPath } from '../urls/local.js';

/** A repository's identity from its URL (pure): equal texts are one repository. */
export type Identify = (url: string) => string;

/** realpath calls at once: each is a few syscalls, but one on a dead mount holds a thread. */
const RESOLVE_CONCURRENCY = 4;

/**
 * The real paths of the local URLs among `urls`, keyed by URL. One that cannot be resolved
 * (gone, unreadable), or is still unresolved when `timeoutMs` ends (a dead mount blocks
 * realpath in the kernel), is left out: it keeps its normalized URL.
 */
export async function realPaths(urls: Iterable<string>, timeoutMs: number, signal: AbortSignal): Promise<Map<string, string>> {
  const local = [...new Set(urls)].filter((url) => localRepositoryPath(url) !== undefined);
  const resolved = new Map<string, string>();
  if (local.length === 0) return resolved;
  const work = mapLimit(local, RESOLVE_CONCURRENCY, async (url) => {
    const real = await realpath(resolve(localRepositoryPath(url)!)).catch(() => undefined);
    if (real !== undefined) resolved.set(url, real);
  });
  work.catch(() => undefined);
  // Out of time or aborted: what was resolved by then is enough, the rest compare by URL.
  await runWithin(timeoutMs, signal, () => work).catch(() => undefined);
  return new Map(resolved);
}

/** Identify with the real paths found (realPaths), else the normalized URL. */
export function identifyWith(realPathOf: ReadonlyMap<string, string>): Identify {
  return (url) => realPathOf.get(url) ?? normalizeRepositoryUrl(url);
}
