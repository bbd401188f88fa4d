import { MASK } from '../redact.js';

/**
 * Kuma's push route is `<base>/api/push/<token>` (a reverse proxy may add a path in front),
 * and Kuma shows each push monitor's URL with the token and a query in it
 * (`https://kuma/api/push/TOKEN?status=up&msg=OK&ping=`). A push_url whose path has one
 * non-empty segment after `/api/push/` holds a token: it is split off, and the query and
 * fragment are dropped (each push sets its own). Any other URL is a base, returned as is.
 */
const KUMA_PUSH_PATH = /^(.*\/api\/push\/)([^/]+)\/?$/;

export function splitPushUrl(pushUrl: string): { base: string; token?: string } {
  let url: URL;
  try {
    url = new URL(pushUrl);
  } catch {
    return { base: pushUrl };
  }
  const match = KUMA_PUSH_PATH.exec(url.pathname);
  if (!match) return { base: pushUrl };
  let token: string;
  try {
    token = decodeURIComponent(match[2]!);
  } catch {
    token = match[2]!;
  }
  url.pathname = match[1]!;
  url.search = '';
  url.hash = '';
  return { base: url.href, token };
}

/** Text with the token of a Kuma push URL masked: for messages about a push_url not yet split. */
export function maskPushToken(text: string): string {
  return text.replace(/(\/api\/push\/)[^/?#\s]+/g, `$1${MASK}`);
}

/**
 * How long Uptime Kuma may take to answer a push: on a busy SQLite database it waits up to
 * 5 s for the lock before it answers (FACTS.md, Kuma 2.5.3), and a push that gave up sooner
 * is retried while Kuma still stores the first one: one check, two beats. A push_timeout
 * below this draws a warning from `validate`; the default (10s) is well above it.
 */
export const KUMA_SLOWEST_ANSWER_MS = 6000;
