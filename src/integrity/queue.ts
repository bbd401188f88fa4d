// The daemon's integrity checks: each repository with `integrity:` every `interval`, on a
// schedule of their own, ONE AT A TIME across the whole daemon (restic check reads a whole
// repository's index and trees, and with read_data_subset its data: two at once would
// compete for the same disks, links and CPU). Their results outlive the check that made them.
import { MAX_TIMER_MS } from '../abort/deadline.js';
import type { IntegritySettings } from './settings.js';
import type { Check } from '../config/types.js';
import { shareKey } from '../checkers/share-key.js';
import type { IntegrityResult } from './restic-check.js';
import { realTimers, type Timers } from '../daemon/timers.js';

/** One repository's integrity check, run with the settings and access of its first check. */
export interface IntegrityJob {
  repository: string;
  check: Check;
  settings: IntegritySettings;
}

export interface IntegrityQueueOptions {
  /** Runs one check; settles promptly once `signal` aborts (undefined: aborted). */
  run: (job: IntegrityJob, signal: AbortSignal) => Promise<IntegrityResult | undefined>;
  /** A result was recorded for `repository`. */
  onResult: (repository: string, result: IntegrityResult) => void;
  onError?: (error: unknown, job: IntegrityJob) => void;
  timers?: Timers;
}

interface Entry {
  job: IntegrityJob;
  /** What makes two jobs the same check: the repository's access and the settings. */
  identity: string;
  nextDueAt: number;
  queued: boolean;
}

/** The jobs of a config: one per repository that sets `integrity:`, in config order. */
export function integrityJobs(checks: readonly Check[]): IntegrityJob[] {
  const jobs = new Map<string, IntegrityJob>();
  for (const check of checks) {
    if (check.integrity === undefined || jobs.has(check.repository)) continue;
    jobs.set(check.repository, { repository: check.repository, check, settings: check.integrity });
  }
  return [...jobs.values()];
}

/**
 * A check that restic could not make (password, network; not damage, not a timeout) is tried
 * again after this, not after a whole `interval` (a week by default) of a down repository.
 */
export const RETRY_MS = 3_600_000;

export class IntegrityQueue {
  private readonly entries = new Map<string, Entry>();
  private readonly results = new Map<string, IntegrityResult>();
  private queue: string[] = [];
  private running: { repository: string; controller: AbortController; done: Promise<void> } | undefined;
  private timer: unknown;
  private stopped = false;
  private started = false;
  private readonly timers: Timers;

  constructor(
    checks: readonly Check[],
    private readonly options: IntegrityQueueOptions,
  ) {
    this.timers = options.timers ?? realTimers;
    const now = this.timers.now();
    for (const job of integrityJobs(checks)) this.entries.set(job.repository, newEntry(job, now));
  }

  /** The first checks are due at once: a daemon that was just started knows nothing yet. */
  start(): void {
    this.started = true;
    this.pump();
  }

  /** The last result of a repository's check; undefined before the first. */
  result(repository: string): IntegrityResult | undefined {
    return this.results.get(repository);
  }

  /** Whether a repository's check is running now (tests, /status). */
  isRunning(repository: string): boolean {
    return this.running?.repository === repository;
  }

  /**
   * A reloaded config: new repositories, and ones whose access or settings changed, are due
   * now; removed ones are dropped, and a running check of one is stopped. A changed URL's old
   * result says nothing about the new one and goes; new credentials or settings for the same
   * URL keep the last result until the new check ends (a rotated key must not turn a damaged
   * repository up for hours).
   */
  update(checks: readonly Check[]): void {
    if (this.stopped) return;
    const now = this.timers.now();
    const jobs = new Map(integrityJobs(checks).map((job) => [job.repository, job]));
    for (const [repository, entry] of [...this.entries]) {
      const job = jobs.get(repository);
      if (job !== undefined && identityOf(job) === entry.identity) {
        entry.job = job;
        continue;
      }
      this.entries.delete(repository);
      if (job === undefined || job.check.url !== entry.job.check.url) this.results.delete(repository);
      if (this.running?.repository === repository) this.running.controller.abort();
    }
    for (const [repository, job] of jobs) if (!this.entries.has(repository)) this.entries.set(repository, newEntry(job, now));
    this.queue = this.queue.filter((repository) => this.entries.has(repository));
    this.pump();
  }

  /** Stops scheduling, aborts the running check and resolves once it has ended. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.timers.clearTimeout(this.timer);
    this.timer = undefined;
    this.queue = [];
    this.running?.controller.abort();
    await this.running?.done;
  }

  /** When each repository's check is next due (epoch ms on the queue's clock). */
  nextDue(repository: string): number | undefined {
    return this.entries.get(repository)?.nextDueAt;
  }

  private pump(): void {
    if (this.stopped || !this.started) return;
    const now = this.timers.now();
    for (const [repository, entry] of this.entries) {
      if (!entry.queued && this.running?.repository !== repository && entry.nextDueAt <= now) {
        entry.queued = true;
        this.queue.push(repository);
      }
    }
    while (this.running === undefined && this.queue.length > 0) {
      const entry = this.entries.get(this.queue.shift()!);
      if (!entry) continue;
      entry.queued = false;
      this.launch(entry);
    }
    let next: number | undefined;
    for (const [repository, entry] of this.entries) {
      if (entry.queued || this.running?.repository === repository) continue;
      if (next === undefined || entry.nextDueAt < next) next = entry.nextDueAt;
    }
    this.timers.clearTimeout(this.timer);
    // A week is more than a timer holds (24.8 days is the limit; an interval may be longer):
    // wake up early, find nothing due, set the next step.
    this.timer = next === undefined ? undefined : this.timers.setTimeout(() => this.pump(), Math.min(MAX_TIMER_MS, Math.max(0, next - now)));
  }

  private launch(entry: Entry): void {
    const { job } = entry;
    const startedAt = this.timers.now();
    const running = { repository: job.repository, controller: new AbortController(), done: Promise.resolve() };
    this.running = running;
    running.done = (async () => {
      let retrySoon = false;
      try {
        const result = await this.options.run(job, running.controller.signal);
        retrySoon = result?.retrySoon === true;
        // A result of a check the reload replaced or removed is about a repository no longer there.
        if (result !== undefined && !this.stopped && this.entries.get(job.repository) === entry) {
          this.results.set(job.repository, result);
          this.options.onResult(job.repository, result);
        }
      } catch (error) {
        this.options.onError?.(error, job);
      } finally {
        if (this.running === running) this.running = undefined;
        entry.nextDueAt = Math.max(this.timers.now(), startedAt + (retrySoon ? Math.min(RETRY_MS, job.settings.intervalMs) : job.settings.intervalMs));
        this.pump();
      }
      // A throwing onError must not end the daemon: the bookkeeping above has run either way.
    })().catch(() => undefined);
  }
}

function newEntry(job: IntegrityJob, now: number): Entry {
  return { job, identity: identityOf(job), nextDueAt: now, queued: false };
}

function identityOf(job: IntegrityJob): string {
  return JSON.stringify([shareKey(job.check), job.settings]);
}
