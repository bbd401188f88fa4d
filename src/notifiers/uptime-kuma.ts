import { request } from 'undici';
import type { RepositoryConfig } from '../config/types.js';
import { shorten } from '../text.js';
import { retrying, type RetryPolicy } from './retry.js';
import { PushError, type Notifier, type Report } from './notifier.js';

/** Uptime Kuma stores msg as given; long ones bloat its database and the request line. */
export const MAX_MESSAGE_LENGTH = 250;

/** Pure: the push URL for one report. push_url is joined with the token as a path segment. */
export function buildPushUrl(pushUrl: string, token: string, report: Report): URL {
  const url = new URL(pushUrl);
  url.pathname = `${url.pathname.replace(/\/*$/, '/')}${encodeURIComponent(token)}`;
  url.search = '';
  url.searchParams.set('status', report.status);
  url.searchParams.set('msg', shorten(report.message, MAX_MESSAGE_LENGTH));
  // Kuma stores ping 0 as "no value": a check always took at least a millisecond.
  url.searchParams.set('ping', String(Math.max(1, Math.round(report.durationMs))));
  return url;
}

export type HttpGet = (url: URL, signal: AbortSignal) => Promise<{ statusCode: number; body: string }>;

const undiciGet: HttpGet = async (url, signal) => {
  const response = await request(url, { method: 'GET', signal });
  return { statusCode: response.statusCode, body: await response.body.text() };
};

export interface UptimeKumaOptions {
  get?: HttpGet;
  retry?: Partial<RetryPolicy>;
}

export class UptimeKumaNotifier implements Notifier {
  readonly kind = 'uptime-kuma';
  private readonly get: HttpGet;
  private readonly retry: Partial<RetryPolicy>;

  constructor(options: UptimeKumaOptions = {}) {
    this.get = options.get ?? undiciGet;
    this.retry = options.retry ?? {};
  }

  wants(repository: RepositoryConfig): boolean {
    return repository.pushUrl !== undefined && repository.pushToken !== undefined;
  }

  async notify(repository: RepositoryConfig, report: Report, signal: AbortSignal): Promise<void> {
    const url = buildPushUrl(repository.pushUrl!, repository.pushToken!, report);
    await retrying(this.retry, signal, repository.pushTimeoutMs, async (attemptSignal) => {
      const { statusCode, body } = await this.get(url, attemptSignal);
      return interpret(statusCode, body);
    });
  }
}

/** Kuma answers 200 {"ok":true} for a recorded beat; anything else is a failed push. */
export function interpret(statusCode: number, body: string): { retry: boolean; error?: PushError } {
  let parsed: { ok?: unknown; msg?: unknown } | undefined;
  try {
    parsed = JSON.parse(body) as typeof parsed;
  } catch {
    parsed = undefined;
  }
  if (statusCode === 200 && parsed?.ok === true) return { retry: false };
  if (statusCode === 404 && parsed?.ok === false) {
    return { retry: false, error: new PushError('Uptime Kuma: monitor not found or not active (HTTP 404)') };
  }
  if (statusCode === 200) return { retry: false, error: new PushError('Uptime Kuma: unexpected answer (HTTP 200 without "ok": true)') };
  const detail = parsed && typeof parsed.msg === 'string' ? `: ${parsed.msg}` : '';
  return { retry: statusCode >= 500 || statusCode === 429, error: new PushError(`Uptime Kuma: HTTP ${statusCode}${detail}`) };
}
