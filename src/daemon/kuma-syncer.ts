import type { Log } from '../log.js';
import { formatDuration } from '../duration.js';
import { KumaError } from '../kuma/api.js';
import { syncSummary } from '../kuma/report.js';
import type { SyncResult } from '../kuma/run-sync.js';
import type { Timers } from './timers.js';

/** After a failed sync (Kuma unreachable, a refused login), the next try. */
export const KUMA_RETRY_MS = 5 * 60_000;

export interface KumaSyncerDeps {
  /** One sync with the daemon's checks as they are now; undefined when `kuma.sync` is off. */
  sync(signal: AbortSignal): Promise<SyncResult | undefined>;
  logger: () => Log;
  timers: Timers;
  retryMs?: number;
}

/**
 * `kuma.sync: true`: the daemon keeps Kuma's monitors in line with its checks. A sync runs in
 * the background, one at a time: a request while one runs makes one more run after it, with
 * the checks as they are then. A failure is logged and tried again later; the checks never
 * wait for Kuma. Stopping ends a sync in flight at once (its session is closed).
 */
export class KumaSyncer {
  private running: Promise<void> | undefined;
  private again = false;
  private retry: unknown;
  private current: AbortController | undefined;
  private stopped = false;

  constructor(private readonly deps: KumaSyncerDeps) {}

  request(): void {
    if (this.stopped) return;
    this.deps.timers.clearTimeout(this.retry);
    this.retry = undefined;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.loop().finally(() => (this.running = undefined));
  }

  /** Ends a sync in flight and any retry; resolves once it is over. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.deps.timers.clearTimeout(this.retry);
    this.current?.abort();
    await this.running;
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      const controller = new AbortController();
      this.current = controller;
      try {
        const result = await this.deps.sync(controller.signal);
        if (result) this.report(result);
      } catch (error) {
        if (this.stopped) return;
        if (!(error instanceof KumaError)) throw error;
        const retryMs = this.deps.retryMs ?? KUMA_RETRY_MS;
        this.deps.logger().error(`kuma sync failed, trying again in ${formatDuration(retryMs)}: ${error.message}`);
        if (!this.again) this.retry = this.deps.timers.setTimeout(() => this.request(), retryMs);
      } finally {
        this.current = undefined;
      }
    } while (this.again && !this.stopped);
  }

  private report(result: SyncResult): void {
    const logger = this.deps.logger();
    for (const { step, error } of result.outcomes) {
      if (error !== undefined) logger.error({ check: 'desired' in step ? step.desired.check : undefined }, `kuma sync: ${error}`);
      else if (step.kind === 'conflict') logger.warn({ check: step.desired.check }, `kuma sync: monitor ${step.monitor.id} "${step.monitor.name}" is not tagged: not touched`);
    }
    logger.info({ kuma: result.version }, `kuma sync: ${syncSummary(result.outcomes, false)}`);
  }
}
