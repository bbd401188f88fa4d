// One lister per kind of location: what is directly under a folder, as findRepositories
// asks for it. Each only lists: no object, file or remote is read, written or locked.
import { readdir, realpath, stat } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { CheckError, type CheckContext, type Checker } from '../checkers/checker.js';
import { childEnv } from '../checkers/child-env.js';
import { timeoutReason } from '../checkers/deadline.js';
import { describeRcloneFailure, lsjsonEntries } from '../checkers/rclone/rclone.js';
import type { S3Checker } from '../checkers/s3/checker.js';
import { describeS3Error } from '../checkers/s3/errors.js';
import { ListingError } from '../checkers/s3/listing.js';
import type { Check } from '../config/types.js';
import { describeFsError } from '../fs-errors.js';
import { runProcess, SpawnError, type RunProcess } from '../process/run-process.js';
import { localRepositoryPath } from '../urls/local.js';
import { rcloneRemote, viaEnvironment } from '../urls/rclone.js';
import { parseS3Url } from '../urls/s3.js';
import type { DirListing, ListDir } from './walk.js';

/** ListObjectsV2 pages per folder at most (1000 names each). */
export const MAX_PAGES_PER_FOLDER = 100;

export interface ListerContext extends CheckContext {
  /** Counts the requests (S3) or processes (rclone) a listing made: the cost of a discovery. */
  onRequest?: (count: number) => void;
}

/** S3: one ListObjectsV2 per folder (more only past 1000 names), through the S3 checker's client pool. */
export function s3Lister(listing: Check, checkers: readonly Checker[], context: ListerContext): ListDir {
  const s3 = checkers.find((checker) => checker.kind === 's3') as S3Checker | undefined;
  const location = parseS3Url(listing.url);
  if ('error' in location) throw new CheckError(location.error);
  return async (path) => {
    if (!s3 || typeof s3.listFolder !== 'function') throw new CheckError('no S3 checker to list with');
    const prefix = [location.prefix, ...path].filter((part) => part !== '').map((part) => `${part}/`).join('');
    try {
      const { dirs, files, requests } = await s3.listFolder(listing, prefix, MAX_PAGES_PER_FOLDER, context, context.signal);
      context.onRequest?.(requests);
      return { dirs, files };
    } catch (error) {
      if (error instanceof CheckError) throw error;
      if (error instanceof ListingError) throw new CheckError(error.message);
      throw new CheckError(describeS3Error(error, location));
    }
  };
}

/**
 * A local or mounted directory: readdir. A symbolic link to a folder is followed only where
 * it leads out of the location, and not back up to a folder it sits in: a link to a folder
 * of the location is an alias (the walk finds that folder under its own name), and a link
 * to its own folder or one above is a loop. Either would list, and report, the same
 * repositories again under other names. A link to a file, or a dangling one, is a file name.
 */
export function localLister(listing: Check): ListDir {
  const root = localRepositoryPath(listing.url)!;
  let realRoot: Promise<string> | undefined;
  return async (path) => {
    const dir = join(root, ...path);
    try {
      const entries = await readdir(dir, { withFileTypes: true });
      const dirs: string[] = [];
      const files: string[] = [];
      let realDir: Promise<string> | undefined;
      for (const entry of entries) {
        if (entry.isDirectory()) dirs.push(entry.name);
        else if (!entry.isSymbolicLink()) files.push(entry.name);
        else {
          const target = await linkedFolder(join(dir, entry.name));
          if (target === undefined) files.push(entry.name);
          else {
            realRoot ??= realpath(root);
            realDir ??= realpath(dir);
            const [realRootPath, realDirPath] = await Promise.all([realRoot, realDir]);
            if (!aliasOrLoop(target, realRootPath, realDirPath)) dirs.push(entry.name);
          }
        }
      }
      return { dirs, files };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (path.length === 0 && (code === 'ENOENT' || code === 'ENOTDIR')) throw new CheckError(`no directory ${root}`);
      throw new CheckError(`cannot list ${dir}: ${describeFsError(error as NodeJS.ErrnoException)}`);
    }
  };
}

/** The real path of the folder a link leads to; undefined for a file or a dangling link. */
async function linkedFolder(link: string): Promise<string | undefined> {
  const target = await stat(link).catch(() => undefined);
  return target?.isDirectory() === true ? realpath(link).catch(() => undefined) : undefined;
}

/** Pure: whether a link to `target` (a real path) from the folder `realDir` must not be followed. */
export function aliasOrLoop(target: string, realRoot: string, realDir: string): boolean {
  return within(target, realRoot) || within(realDir, target);
}

/** Pure: `path` is `folder` or below it (real, absolute paths). */
function within(path: string, folder: string): boolean {
  return path === folder || path.startsWith(folder.endsWith(sep) ? folder : folder + sep);
}

/** What rclone is asked per folder: names and kinds only, no times, hashes or MIME types. */
export const RCLONE_LIST_ARGS = ['lsjson', '--no-modtime', '--no-mimetype'];

/**
 * One folder's listing may be this large (about 100,000 names); past it rclone is stopped, as
 * S3 stops at MAX_PAGES: a folder that big holds no repositories worth walking.
 */
export const MAX_RCLONE_LISTING_BYTES = 16 * 1024 * 1024;

/** rclone: one `rclone lsjson` per folder. */
export function rcloneLister(listing: Check, context: ListerContext, options: { binary?: string; run?: RunProcess } = {}): ListDir {
  const remote = rcloneRemote(listing.url)!;
  const run = options.run ?? runProcess;
  const binary = options.binary ?? context.env.RESTIC_MONITOR_RCLONE ?? 'rclone';
  const deadline = performance.now() + listing.timeoutMs;
  return async (path) => {
    // A trailing slash says "a directory": without it rclone's S3 backend first sends a HEAD.
    const base = remote.endsWith(':') ? remote : `${remote.replace(/\/+$/, '')}/`;
    const target = path.length === 0 ? base : `${base}${path.join('/')}/`;
    // A connection string's credentials go through the environment, never the command line.
    const passed = viaEnvironment(target);
    let result;
    try {
      result = await run(binary, [...RCLONE_LIST_ARGS, passed.spec], {
        env: childEnv(context.env, listing.extraEnv, passed.env),
        timeoutMs: Math.max(1, Math.round(deadline - performance.now())),
        signal: context.signal,
        maxStdoutBytes: MAX_RCLONE_LISTING_BYTES,
      });
    } catch (error) {
      if (error instanceof SpawnError) throw new CheckError(error.describe('rclone'));
      throw error;
    }
    context.onRequest?.(1);
    if (result.timedOut || result.aborted) throw new CheckError(result.aborted ? 'aborted' : timeoutReason(listing.timeoutMs));
    if (result.overflow) throw new CheckError(`rclone listed more than 16 MiB of names in ${target}: point discover at a narrower prefix`);
    if (result.code !== 0) {
      const reason = describeRcloneFailure(result, remote);
      throw new CheckError(reason.startsWith('not a restic repository') ? `no directory ${path.length === 0 ? remote : target}` : reason);
    }
    return parseLsjson(result.stdout);
  };
}

/** Pure: `rclone lsjson` output as folder and file names. */
export function parseLsjson(stdout: string): DirListing {
  const dirs: string[] = [];
  const files: string[] = [];
  for (const entry of lsjsonEntries(stdout)) {
    if (typeof entry?.Name !== 'string') continue;
    (entry.IsDir === true ? dirs : files).push(entry.Name);
  }
  return { dirs, files };
}
