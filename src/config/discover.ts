// The top-level `discover:` list: locations to look for restic repositories under. Read
// here and validated without network; the listing itself is discover/'s, at run time.
import { redactUrl } from '../redact.js';
import { locationKind, normalizeRepositoryUrl } from '../urls/discover.js';
import { buildCheck, expandOrReport, type BuildContext } from './check.js';
import type { CheckEntry } from './hosts.js';
import { describeType, unknownKeyMessage } from './errors.js';
import { checkKind, isMapping } from './schema.js';
import type { Check, Discover, DiscoverLocation } from './types.js';

const ENTRY_KEYS = ['url', 'check'];

/**
 * The keys of `defaults` a listing uses: its credentials and endpoint settings, its time
 * limit, and the max_age its rows show. The others (push targets, signals) belong to the
 * repositories found, whose checks are built when they are found (checkFor).
 */
const LISTING_KEYS = ['extra_env', 'ca_cert', 'region', 'bucket_lookup', 'timeout', 'max_age'];

/** Reads `discover:`; undefined when it is absent or unusable (each problem reported). */
export function readDiscover(raw: unknown, defaults: Record<string, unknown>, context: BuildContext): Discover | undefined {
  if (!Array.isArray(raw)) return undefined; // its shape was reported by checkKind
  const { report } = context;
  if (raw.length === 0) {
    report('discover: empty: list at least one location, or leave the key out');
    return undefined;
  }
  const listingDefaults = Object.fromEntries(Object.entries(defaults).filter(([key]) => LISTING_KEYS.includes(key)));
  const locations: DiscoverLocation[] = [];
  const seen = new Map<string, string>();
  raw.forEach((item: unknown, index) => {
    const where = `discover[${index}]`;
    if (!isMapping(item)) {
      report(`${where}: expected a mapping (url: ..., check: true), got ${describeType(item)}`);
      return;
    }
    let usable = true;
    for (const key of Object.keys(item)) {
      if (!ENTRY_KEYS.includes(key)) {
        report(unknownKeyMessage(where, key, ENTRY_KEYS));
        usable = false;
      }
    }
    const check = item.check ?? true;
    if (typeof check !== 'boolean') {
      report(`${where}.check: expected true or false, got ${describeType(check)}`);
      usable = false;
    }
    const url = readUrl(where, item.url, context);
    if (url === undefined || !usable) return;
    const normal = normalizeRepositoryUrl(url);
    const earlier = seen.get(normal);
    if (earlier !== undefined) {
      report(`${where}.url: "${redactUrl(url)}" is listed twice (also ${earlier})`);
      return;
    }
    seen.set(normal, where);
    const entry = entryFor(where, where, url, '');
    const listing = buildCheck(entry, listingDefaults, context);
    if (listing) locations.push({ where, url, check: check as boolean, listing });
  });
  if (locations.length !== raw.length) return undefined;
  return { locations, checkFor: (name, url) => checkFor(name, url, defaults, context) };
}

function readUrl(where: string, raw: unknown, context: BuildContext): string | undefined {
  const path = `${where}.url`;
  if (raw === undefined || raw === null) {
    context.report(`${path}: missing: where to look (an s3: prefix, a directory or rclone:REMOTE:PATH)`);
    return undefined;
  }
  const shape = checkKind(path, raw, 'string');
  if (shape !== undefined) {
    context.report(shape);
    return undefined;
  }
  const url = expandOrReport(path, raw as string, {}, context.env, context.report, context.secrets);
  if (url === undefined) return undefined;
  if (url.trim() === '') {
    context.report(`${path}: is empty`);
    return undefined;
  }
  const kind = locationKind(url);
  if (typeof kind !== 'string') {
    context.report(`${path}: "${redactUrl(url)}" ${kind.error}`);
    return undefined;
  }
  return url;
}

/** A repository found at `url`, checked as if written `name: {url}` under `repositories`. */
function checkFor(name: string, url: string, defaults: Record<string, unknown>, context: BuildContext): { check: Check; secrets: string[] } | { problems: string[] } {
  const problems: string[] = [];
  const secrets = new Set<string>();
  // A found path is data, not config: a `${` in a folder name is not a variable.
  const entry = entryFor(name, `discovered repository "${name}"`, url.replace(/\$\{/g, '$$$${'), name);
  // Found at run time: nothing shows a warning then (validate lists no location).
  const check = buildCheck(entry, defaults, { ...context, report: (problem) => problems.push(problem), warn: undefined, secrets });
  if (!check || problems.length > 0) return { problems: problems.length > 0 ? problems : [`${entry.source}: cannot be checked with defaults`] };
  return { check, secrets: [...secrets] };
}

function entryFor(name: string, source: string, url: string, templateName: string): CheckEntry {
  return { name, repository: name, source, own: { url }, vars: { Name: templateName }, where: () => source };
}
