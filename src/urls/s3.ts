// The s3: URL form, as restic reads it. Apart from the S3 checker so that config/ validates
// it and the plan reads it without importing a checker (the layer rule in test/layers.unit.test.ts).

import { posix } from 'node:path';

/** Where an s3: repository lives, as restic itself reads its URL. */
export interface S3Location {
  /** host[:port] exactly as written (IPv6 in brackets). */
  endpoint: string;
  bucket: string;
  /** Cleaned like Go's path.Clean; '' is the bucket root. */
  prefix: string;
  useTls: boolean;
  /** The region named by an Amazon host name (s3.eu-west-1.amazonaws.com), if any. */
  region?: string;
  /** What `bucket_lookup: auto` picks: virtual-host style only where restic uses it. */
  pathStyle: boolean;
}

export type S3UrlResult = S3Location | { error: string };

const EXPECTED = '(expected s3:https://HOST/BUCKET/PREFIX or s3:HOST/BUCKET/PREFIX)';

export function isS3Url(url: string): boolean {
  return url.startsWith('s3:');
}

/**
 * Pure: restic 0.14's s3 config parser, rule for rule. `s3:http(s)://host/bucket/prefix` is a
 * URL (its path is percent-decoded; plain http only for `http`); `s3://host/...` and
 * `s3:host/...` are host/bucket/prefix split on the first two slashes, over https. The
 * prefix is everything after the bucket, path.Clean'ed, so `a/`, `a//` and `a/./` are `a`.
 * restic accepts an empty bucket and fails later; here it is an error up front.
 */
export function parseS3Url(url: string): S3UrlResult {
  if (!isS3Url(url)) return { error: `not an s3 URL ${EXPECTED}` };
  const rest = url.slice(3);
  const asUrl = /^(https?):\/\/([^/?#]*)([^?#]*)/i.exec(rest);
  let host: string;
  let parts: string[];
  let useTls = true;
  if (asUrl) {
    const authority = asUrl[2]!;
    host = authority.slice(authority.lastIndexOf('@') + 1); // user:password@ is not restic's business here
    useTls = asUrl[1]!.toLowerCase() !== 'http';
    let path: string;
    try {
      path = decodeURIComponent(asUrl[3]!);
    } catch {
      return { error: 'is not a valid URL (bad %-escape in its path)' };
    }
    if (path === '') return { error: `has no bucket ${EXPECTED}` };
    parts = splitN(path.slice(1), 2);
  } else {
    const [first, ...others] = splitN(rest.startsWith('//') ? rest.slice(2) : rest, 3);
    host = first!;
    parts = others;
  }
  if (host === '') return { error: `has no host ${EXPECTED}` };
  if (!/^(\[[0-9a-f:.]+\]|[^:[\]]+)(:\d{1,5})?$/i.test(host)) return { error: `has an invalid host or port "${host}"` };
  const bucket = parts[0] ?? '';
  if (bucket === '') return { error: `has no bucket ${EXPECTED}` };
  const prefix = parts[1] ? goClean(parts[1]) : '';
  const hostname = host.replace(/:\d+$/, '').toLowerCase();
  const region = amazonRegion(hostname);
  return {
    endpoint: host,
    bucket,
    prefix: prefix === '.' ? '' : prefix,
    useTls,
    ...(region !== undefined && { region }),
    pathStyle: !virtualHostStyle(hostname, bucket, useTls),
  };
}

/** The key prefix under which restic keeps one object per snapshot (path.Join semantics). */
export function snapshotsPrefix(location: Pick<S3Location, 'prefix'>): string {
  return `${posix.join(location.prefix || '.', 'snapshots')}/`;
}

/** `<prefix>/locks/`: where the lock listing finds the lock objects. */
export function locksPrefix(location: Pick<S3Location, 'prefix'>): string {
  return `${posix.join(location.prefix || '.', 'locks')}/`;
}

/** Go's strings.SplitN: at most n parts, the last one holding the rest. */
function splitN(text: string, n: number): string[] {
  const parts = text.split('/');
  return parts.length <= n ? parts : [...parts.slice(0, n - 1), parts.slice(n - 1).join('/')];
}

/** Go's path.Clean: posix.normalize agrees except that it keeps a trailing slash. */
function goClean(path: string): string {
  const normal = posix.normalize(path);
  return normal.length > 1 && normal.endsWith('/') ? normal.slice(0, -1) : normal;
}

// s3.eu-west-1.amazonaws.com, s3-eu-west-1.amazonaws.com, s3.dualstack.us-east-2.amazonaws.com,
// s3-fips.us-gov-west-1.amazonaws.com, s3.cn-north-1.amazonaws.com.cn
const AMAZON_REGION = /(?:^|\.)s3(?:[.-](?:fips|dualstack|external-1))*[.-]([a-z]{2}(?:-[a-z]+)+-\d+)\.amazonaws\.com(?:\.cn)?$/;

function amazonRegion(hostname: string): string | undefined {
  return AMAZON_REGION.exec(hostname)?.[1];
}

/**
 * minio-go (restic's S3 client) addresses buckets by host name only on Amazon, Google and
 * Aliyun endpoints, and never over https for a bucket with a dot (the certificate would not
 * match); MinIO, Ceph, Wasabi, B2, R2 and s3rver get path style.
 */
function virtualHostStyle(hostname: string, bucket: string, useTls: boolean): boolean {
  const provider =
    /(^|\.)amazonaws\.com(\.cn)?$/.test(hostname) || hostname === 'storage.googleapis.com' || /(^|\.)aliyuncs\.com$/.test(hostname);
  return provider && !(useTls && bucket.includes('.'));
}
