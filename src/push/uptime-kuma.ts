import type { Check } from '../config/types.js';
import { MASK } from '../redact.js';
import { shorten } from '../text.js';
import { send, type Answer } from './http.js';
import { retrying, type AttemptOutcome, type RetryPolicy } from './retry.js';
import { PushError, type PushTarget, type Report } from './target.js';

/** Uptime Kuma stores msg as given; long ones bloat its database and the request line. */
export const MAX_MESSAGE_LENGTH = 250;

/** Kuma 2.5.3 refuses a ping above this (404 "Invalid ping value"), and below 0. */
export const MAX_PING_MS = 1e11;

/** The one answer that means "no such monitor" (unknown token or paused monitor). */
export const MONITOR_NOT_FOUND = 'Monitor not found or not active.';

/** Pure: the push URL for one report. push_url is joined with the token as a path segment. */
export function buildPushUrl(pushUrl: string, token: string, report: Report): URL {
  const url = new URL(pushUrl);
  url.pathname = `${url.pathname.replace(/\/*$/, '/')}${encodeURIComponent(token)}`;
  url.search = '';
  url.searchParams.set('status', report.status);
  url.searchParams.set('msg', shorten(report.message, MAX_MESSAGE_LENGTH));
  url.searchParams.set('ping', String(pingOf(report.durationMs)));
  return url;
}

/** Whole milliseconds within what Kuma accepts; at least 1, since Kuma stores 0 as "no value". */
export function pingOf(durationMs: number): number {
  if (!Number.isFinite(durationMs)) return 1;
  return Math.min(MAX_PING_MS, Math.max(1, Math.round(durationMs)));
}

export type HttpGet = (url: URL, signal: AbortSignal) => Promise<Answer>;

const httpGet: HttpGet = (url, signal) => send(url, { method: 'GET' }, signal);

export interface UptimeKumaOptions {
  get?: HttpGet;
  retry?: Partial<RetryPolicy>;
}

export class UptimeKumaTarget implements PushTarget {
  readonly kind = 'uptime-kuma';
  private readonly get: HttpGet;
  private readonly retry: Partial<RetryPolicy>;

  constructor(options: UptimeKumaOptions = {}) {
    this.get = options.get ?? httpGet;
    this.retry = options.retry ?? {};
  }

  wants(check: Check): boolean {
    return check.pushUrl !== undefined && check.pushToken !== undefined;
  }

  destination(check: Check): string {
    const url = new URL(check.pushUrl!);
    url.pathname = `${url.pathname.replace(/\/*$/, '/')}${MASK}`;
    url.search = '';
    return url.toString();
  }

  async push(check: Check, report: Report, signal: AbortSignal): Promise<void> {
    const url = buildPushUrl(check.pushUrl!, check.pushToken!, report);
    await retrying(this.retry, signal, check.pushTimeoutMs, async (attemptSignal) => {
      const { statusCode, body } = await this.get(url, attemptSignal);
      return interpret(statusCode, body);
    });
  }
}

/**
 * Pure: what Kuma meant. 200 `{"ok":true}` records the push. Kuma 2.5.3 answers every
 * server-side failure with 404 `{"ok":false,"msg":...}`, a busy database
 * (`SQLITE_BUSY: database is locked`) as much as an unknown token, and other versions may
 * pick other codes: so `msg` decides, not the code. Only `Monitor not found or not active.`
 * is final; every other failure is retried. The message is kept whole: the caller redacts
 * it (Kuma's SQL errors quote the token) before shortening it.
 */
export function interpret(statusCode: number, body: string): AttemptOutcome {
  let parsed: { ok?: unknown; msg?: unknown } | undefined;
  try {
    parsed = JSON.parse(body) as typeof parsed;
  } catch {
    parsed = undefined;
  }
  if (statusCode === 200 && parsed?.ok === true) return { retry: false };
  const msg = typeof parsed?.msg === 'string' ? parsed.msg.trim() : '';
  if (parsed?.ok === false && parsed.msg === MONITOR_NOT_FOUND) {
    return { retry: false, error: new PushError(`Uptime Kuma: HTTP ${statusCode}: ${MONITOR_NOT_FOUND}`) };
  }
  if (msg) return { retry: true, error: new PushError(`Uptime Kuma: HTTP ${statusCode}: ${msg}`) };
  if (statusCode === 200) return { retry: true, error: new PushError('Uptime Kuma: unexpected answer (HTTP 200 without "ok": true)') };
  return { retry: true, error: new PushError(`Uptime Kuma: HTTP ${statusCode}`) };
}
