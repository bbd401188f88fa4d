// `discover:` at run time: list each location, then sort what was found into checks to run,
// unmonitored repositories, and down rows for what could not be listed or checked.
import { CheckError, type Checker } from '../checkers/checker.js';
import { withDeadline } from '../checkers/deadline.js';
import type { RunProcess } from '../process/run-process.js';
import type { Check, Config, DiscoverLocation } from '../config/types.js';
import type { CheckResult, UnmonitoredRepository } from '../run/result.js';
import { shorten } from '../text.js';
import { childUrl, locationKind, normalizeRepositoryUrl, rootName } from '../urls/discover.js';
import { identifyWith, realPaths, type Identify } from './identity.js';
import { localLister, rcloneLister, s3Lister, type ListerContext } from './listers.js';
import { findRepositories, WalkError, type ListDir } from './walk.js';

export interface DiscoverDeps {
  checkers: readonly Checker[];
  env: Readonly<Record<string, string | undefined>>;
  now: () => Date;
  signal: AbortSignal;
  /** Removes secrets from text that leaves the process (URLs with passwords, ${VAR} values). */
  redact: (text: string) => string;
  /** rclone's binary and process runner (tests). */
  rclone?: { binary?: string; run?: RunProcess };
}

/** What one location's walk found, or why it could not be walked. */
export interface LocationWalk {
  location: DiscoverLocation;
  /** Repositories found, as path segments below the location; undefined when the walk failed. */
  paths?: string[][];
  failure?: string;
  /** ListObjectsV2 requests (S3) or rclone runs it took; 0 for a local directory (readdir calls are not counted). */
  requests: number;
  durationMs: number;
}

export interface Discovery {
  /** Checks of repositories found under `check: true` locations that no configured check covers. */
  checks: Check[];
  unmonitored: UnmonitoredRepository[];
  /** Down rows: a location that could not be listed, a found repository `defaults` cannot check. */
  failures: CheckResult[];
  /** Secrets the found checks expanded (a `${VAR}` named by a template): for the redactor. */
  secrets: string[];
  walks: LocationWalk[];
  /** The location (`discover[0]`) each found check came from. */
  origins: Map<string, string>;
  /** The locations that could not be listed: `discover[0]` -> its URL as shown (redacted). */
  failed: Map<string, string>;
}

/** How often the daemon lists its locations again (besides at start and on SIGHUP). */
export const DISCOVER_EVERY_MS = 3_600_000;

/** Nothing found yet: the daemon's state before its first discovery. */
export function emptyDiscovery(): Discovery {
  return { checks: [], unmonitored: [], failures: [], secrets: [], walks: [], origins: new Map(), failed: new Map() };
}

/**
 * Pure: a new discovery, with what the previous one found under each location the new one
 * could not list. A bucket that did not answer once must not make its repositories vanish
 * from the schedule (their own checks go down if the storage is really gone); a location
 * that answers again replaces what it had.
 */
export function carryOver(previous: Discovery, next: Discovery, configured: ReadonlySet<string>): Discovery {
  if (next.failed.size === 0) return next;
  const names = new Set([...configured, ...next.checks.map((check) => check.name)]);
  const kept = previous.checks.filter((check) => next.failed.has(previous.origins.get(check.name) ?? '') && !names.has(check.name));
  const shown = new Set(next.failed.values());
  const unmonitored = previous.unmonitored.filter((repository) => shown.has(repository.location) && !next.unmonitored.some((other) => other.url === repository.url));
  const origins = new Map(next.origins);
  for (const check of kept) origins.set(check.name, previous.origins.get(check.name)!);
  return { ...next, checks: [...next.checks, ...kept], unmonitored: [...next.unmonitored, ...unmonitored], origins, secrets: [...new Set([...next.secrets, ...previous.secrets])] };
}

/** A reason short enough for a status line. */
const MAX_REASON_LENGTH = 200;

/** Lists every location of `config.discover` (at once), and sorts what they hold. */
export async function discoverRepositories(config: Config, deps: DiscoverDeps): Promise<Discovery> {
  const startedAt = deps.now();
  const walks = await Promise.all((config.discover?.locations ?? []).map((location) => walkLocation(location, deps)));
  return sortFound(config, walks, startedAt, deps.redact, await localIdentities(config, walks, deps.signal));
}

/**
 * The real paths of the local repositories found and of the local checks configured: what
 * sortFound compares. Nothing to resolve, and no file system call, unless a local location
 * found something. Bounded by the locations' time limit.
 */
async function localIdentities(config: Config, walks: readonly LocationWalk[], signal: AbortSignal): Promise<Identify> {
  const local = walks.filter((walk) => (walk.paths?.length ?? 0) > 0 && locationKind(walk.location.url) === 'local');
  if (local.length === 0) return normalizeRepositoryUrl;
  const found = local.flatMap((walk) => walk.paths!.map((path) => childUrl(walk.location.url, path)));
  const timeoutMs = Math.max(...local.map((walk) => walk.location.listing.timeoutMs));
  return identifyWith(await realPaths([...config.checks.map((check) => check.url), ...found], timeoutMs, signal));
}

async function walkLocation(location: DiscoverLocation, deps: DiscoverDeps): Promise<LocationWalk> {
  const started = performance.now();
  let requests = 0;
  const durationMs = () => Math.round(performance.now() - started);
  try {
    const paths = await withDeadline(
      (signal) => {
        const context: ListerContext = { signal, env: deps.env, onRequest: (count) => (requests += count) };
        return findRepositories(listerFor(location, deps, context));
      },
      location.listing.timeoutMs,
      deps.signal,
    );
    return { location, paths, requests, durationMs: durationMs() };
  } catch (error) {
    const reason = error instanceof CheckError || error instanceof WalkError ? (error instanceof CheckError ? error.reason : error.message) : `internal error: ${(error as Error).message}`;
    return { location, failure: reason, requests, durationMs: durationMs() };
  }
}

function listerFor(location: DiscoverLocation, deps: DiscoverDeps, context: ListerContext): ListDir {
  const kind = locationKind(location.url);
  switch (kind) {
    case 's3':
      return s3Lister(location.listing, deps.checkers, context);
    case 'rclone':
      return rcloneLister(location.listing, context, deps.rclone);
    case 'local':
      return localLister(location.listing);
    default:
      throw new CheckError(kind.error);
  }
}

/**
 * Pure: the walks' findings against the configured checks. A found repository that a check
 * (configured, or found earlier) already has is covered: nothing to do. `identify` says
 * which URLs name one repository (identity.ts: the real path of a local one). Under `check: false` every other one is unmonitored. Under `check: true` it is checked
 * with `defaults` under its path below the location, unless a configured check (or one
 * found earlier) holds that name: the configured one wins, and the found one is reported
 * unmonitored, saying why.
 */
export function sortFound(config: Config, walks: readonly LocationWalk[], foundAt: Date, redact: (text: string) => string, identify: Identify = normalizeRepositoryUrl): Discovery {
  const covered = new Set(config.checks.map((check) => identify(check.url)));
  const taken = new Map(config.checks.map((check) => [check.name, `the configured check "${check.name}"`]));
  const discovery: Discovery = { ...emptyDiscovery(), walks: [...walks] };
  for (const walk of walks) {
    const { location } = walk;
    if (walk.paths === undefined) {
      discovery.failed.set(location.where, redact(location.url));
      const reason = shorten(redact(walk.failure ?? 'unknown failure'), MAX_REASON_LENGTH);
      discovery.failures.push(downRow(redact(location.url), location.where, `discovery failed: ${reason}`, reason, location.listing, foundAt, walk.durationMs));
      continue;
    }
    for (const path of walk.paths) {
      const url = childUrl(location.url, path);
      const identity = identify(url);
      if (covered.has(identity)) continue;
      covered.add(identity);
      const name = path.length === 0 ? rootName(location.url) : path.join('/');
      const unmonitored = (reason: string) => discovery.unmonitored.push({ name, url: redact(url), location: redact(location.url), reason, foundAt });
      if (!location.check) {
        unmonitored('no check has this url');
        continue;
      }
      const holder = taken.get(name);
      if (holder !== undefined) {
        unmonitored(`its name "${name}" is taken by ${holder}`);
        continue;
      }
      taken.set(name, `the repository found at ${redact(url)}`);
      const built = config.discover!.checkFor(name, url);
      if ('problems' in built) {
        const reason = shorten(redact(built.problems.join('; ')), MAX_REASON_LENGTH);
        discovery.failures.push(downRow(name, name, `cannot check with defaults: ${reason}`, reason, location.listing, foundAt, 0));
        continue;
      }
      discovery.checks.push(built.check);
      discovery.origins.set(name, location.where);
      discovery.secrets.push(...built.secrets);
    }
  }
  return discovery;
}

/** A down row for something discover could not do; nothing is pushed for it (no monitor). */
function downRow(name: string, repository: string, message: string, error: string, listing: Check, checkedAt: Date, durationMs: number): CheckResult {
  return {
    name,
    repository,
    status: 'down',
    mode: 'fast',
    latest: null,
    latestBasis: null,
    ageMs: null,
    maxAgeMs: listing.maxAgeMs,
    message,
    error,
    durationMs,
    checkedAt,
    pushes: [],
  };
}

/** "discovery: 5 repositories under 1 location (11 requests), 2 unmonitored": one log line. */
export function describeDiscovery(discovery: Discovery): Record<string, unknown> {
  return {
    locations: discovery.walks.map((walk) => ({
      location: walk.location.where,
      found: walk.paths?.length ?? null,
      requests: walk.requests,
      duration_ms: walk.durationMs,
      ...(walk.failure !== undefined && { failed: true }),
    })),
    checks: discovery.checks.length,
    unmonitored: discovery.unmonitored.length,
  };
}
