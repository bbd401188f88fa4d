import type { Check } from '../config/types.js';
import type { Status } from '../verdict.js';
import { clip } from '../text.js';
import { send, type Answer } from './http.js';
import { retrying, type AttemptOutcome, type RetryPolicy } from './retry.js';
import { PushError, type PushTarget, type Report } from './target.js';

/** healthchecks.io keeps the first 100 kB of a ping body; ours stay far below that. */
export const MAX_BODY_LENGTH = 10_000;

/** Pure: where a report goes. Up pings the URL itself, down pings `<ping_url>/fail`. */
export function buildHealthchecksUrl(pingUrl: string, report: Pick<Report, 'status'>): URL {
  const url = new URL(pingUrl);
  if (report.status === 'down') url.pathname = `${url.pathname.replace(/\/+$/, '')}/fail`;
  return url;
}

export type HttpPost = (url: URL, body: string, signal: AbortSignal) => Promise<Answer>;

const httpPost: HttpPost = (url, body, signal) => send(url, { method: 'POST', body, headers: { 'content-type': 'text/plain; charset=utf-8' } }, signal);

export interface HealthchecksOptions {
  post?: HttpPost;
  retry?: Partial<RetryPolicy>;
}

/**
 * healthchecks.io-style ping URLs (healthchecks.io, its self-hosted server, and services
 * with the same API). The message travels in the POST body, which the service shows as the
 * ping's log.
 */
export class HealthchecksTarget implements PushTarget {
  readonly kind = 'healthchecks';
  private readonly post: HttpPost;
  private readonly retry: Partial<RetryPolicy>;

  constructor(options: HealthchecksOptions = {}) {
    this.post = options.post ?? httpPost;
    this.retry = options.retry ?? {};
  }

  wants(check: Check): boolean {
    return check.pingUrl !== undefined;
  }

  destination(check: Check, status: Status): string {
    return buildHealthchecksUrl(check.pingUrl!, { status }).toString();
  }

  async push(check: Check, report: Report, signal: AbortSignal): Promise<void> {
    const url = buildHealthchecksUrl(check.pingUrl!, report);
    const body = clip(report.message, MAX_BODY_LENGTH);
    await retrying(this.retry, signal, check.pushTimeoutMs, async (attemptSignal) => {
      const answer = await this.post(url, body, attemptSignal);
      return interpretHealthchecks(answer.statusCode, answer.body);
    });
  }
}

/**
 * 200 "OK" records the ping (201 "Created" when a slug check was auto-provisioned). An
 * unknown UUID answers 404, or 200 "OK (not found)" where the server keeps the old
 * behaviour; an ambiguous slug 409. Rate limits (429) and server errors are retried.
 */
export function interpretHealthchecks(statusCode: number, body: string): AttemptOutcome {
  // Whole: the caller shortens after redacting (a cut could split a secret).
  const text = body.trim().split('\n')[0]!;
  if ((statusCode === 200 || statusCode === 201) && !/not found/i.test(text)) return { retry: false };
  if (statusCode === 404 || (statusCode === 200 && /not found/i.test(text))) {
    return { retry: false, error: new PushError(`healthchecks: check not found (HTTP ${statusCode})`) };
  }
  if (statusCode === 409) return { retry: false, error: new PushError('healthchecks: slug matches more than one check (HTTP 409)') };
  const detail = text && !text.startsWith('<') ? `: ${text}` : '';
  return { retry: statusCode >= 500 || statusCode === 429, error: new PushError(`healthchecks: HTTP ${statusCode}${detail}`) };
}
