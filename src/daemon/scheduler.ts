import type { Check } from '../config/types.js';
import { MAX_TIMER_MS } from '../abort/deadline.js';
import type { CheckResult } from '../run/result.js';
import { AbortFanout } from '../abort/fanout.js';
import { nextRunAfter, processTimeZone } from '../cron.js';
import { jitterMs, realTimers, type Timers } from './timers.js';

export interface Schedule {
  checks: readonly Check[];
  /**
   * Checks in flight at once, across every check, from start to pushed. The daemon
   * passes inFlightBound (run/limiter.ts): the check and push limiters are the real bounds.
   */
  concurrency: number;
}

export interface SchedulerOptions {
  /** Checks one check; must settle promptly once `signal` aborts. */
  check: (check: Check, signal: AbortSignal) => Promise<CheckResult>;
  onResult: (result: CheckResult, check: Check) => void;
  /** A check that rejected (runCheck never does; this is for bugs). */
  onError?: (error: unknown, check: Check) => void;
  timers?: Timers;
  random?: () => number;
  /**
   * Checks that share one restic listing (hosts of one repository) get the same key: they are
   * kept due at the same moment, so that one restic run serves them all in every interval.
   */
  groupOf?: (check: Check) => string | undefined;
}

/** Where one check stands, for /healthz and /status. */
export interface EntryView {
  check: Check;
  /** When its last check ended, or when it joined the schedule if none has. */
  lastProgressAt: number;
  running: boolean;
  /**
   * When it is next due (epoch ms): for a check that is running or waiting for a free place,
   * when it became due. Undefined: a schedule with no run left.
   */
  nextDueAt: number | undefined;
}

interface Entry {
  check: Check;
  nextDueAt: number;
  lastProgressAt: number;
  queued: boolean;
  /** The config changed while a check was running: check again as soon as it ends. */
  changed: boolean;
}

/**
 * Runs each check every `intervalMs` (plus jitter), or at each run of its cron
 * `schedule` (no jitter: the user chose the minute), first at start. A
 * check never runs twice at once, and at most `concurrency` checks run in the
 * whole process. It keeps one entry per check and one timer, whatever it has done.
 */
export class Scheduler {
  private readonly entries = new Map<string, Entry>();
  /** The next due time last given to a member of each group; one entry per group. */
  private readonly groupDue = new Map<string, number>();
  private readonly inFlight = new Map<string, Promise<void>>();
  private queue: string[] = [];
  private limit: number;
  private timer: unknown;
  private stopped = false;
  /** One signal per check in flight; stop() aborts them all, with no listener on a shared one. */
  private readonly checks = new AbortFanout();
  private readonly timers: Timers;
  private readonly random: () => number;

  constructor(
    schedule: Schedule,
    private readonly options: SchedulerOptions,
  ) {
    this.timers = options.timers ?? realTimers;
    this.random = options.random ?? Math.random;
    this.limit = schedule.concurrency;
    const now = this.timers.now();
    for (const check of schedule.checks) this.entries.set(check.name, this.newEntry(check, now));
  }

  start(): void {
    this.pump();
  }

  /** Applies a reloaded config: new and changed checks run now, removed ones dropped. */
  update(schedule: Schedule): void {
    if (this.stopped) return;
    const now = this.timers.now();
    this.limit = schedule.concurrency;
    const names = new Set(schedule.checks.map((check) => check.name));
    for (const name of [...this.entries.keys()]) if (!names.has(name)) this.entries.delete(name);
    this.groupDue.clear();
    this.queue = this.queue.filter((name) => names.has(name));
    for (const check of schedule.checks) {
      const entry = this.entries.get(check.name);
      if (!entry) {
        this.entries.set(check.name, this.newEntry(check, now));
      } else if (JSON.stringify(entry.check) !== JSON.stringify(check)) {
        entry.check = check;
        entry.nextDueAt = now;
        entry.lastProgressAt = now;
        entry.changed = this.inFlight.has(check.name);
      }
    }
    this.pump();
  }

  /**
   * Checks these now (one running checks again as soon as it ends): something their verdict
   * depends on changed outside them (a signal's background service observed anew).
   */
  runNow(names: readonly string[]): void {
    if (this.stopped) return;
    const now = this.timers.now();
    for (const name of names) {
      const entry = this.entries.get(name);
      if (!entry) continue;
      if (this.inFlight.has(name)) entry.changed = true;
      else entry.nextDueAt = Math.min(entry.nextDueAt, now);
    }
    this.pump();
  }

  /** Stops scheduling, aborts the checks in flight and resolves once every one has ended. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.timers.clearTimeout(this.timer);
    this.timer = undefined;
    this.queue = [];
    this.checks.abortAll();
    await Promise.all(this.inFlight.values());
  }

  get running(): boolean {
    return !this.stopped;
  }

  view(): EntryView[] {
    return [...this.entries.values()].map((entry) => ({
      check: entry.check,
      lastProgressAt: entry.lastProgressAt,
      running: this.inFlight.has(entry.check.name),
      nextDueAt: Number.isFinite(entry.nextDueAt) ? entry.nextDueAt : undefined,
    }));
  }

  private newEntry(check: Check, now: number): Entry {
    return { check, nextDueAt: now, lastProgressAt: now, queued: false, changed: false };
  }

  /** Queues what is due, starts what the limit allows, and sets the one timer for the rest. */
  private pump(): void {
    if (this.stopped) return;
    const now = this.timers.now();
    for (const [name, entry] of this.entries) {
      if (!entry.queued && !this.inFlight.has(name) && entry.nextDueAt <= now) {
        entry.queued = true;
        this.queue.push(name);
      }
    }
    while (this.inFlight.size < this.limit && this.queue.length > 0) {
      const name = this.queue.shift()!;
      const entry = this.entries.get(name);
      if (!entry || this.inFlight.has(name)) continue;
      entry.queued = false;
      this.launch(entry);
    }
    let next: number | undefined;
    for (const [name, entry] of this.entries) {
      if (entry.queued || this.inFlight.has(name)) continue;
      if (next === undefined || entry.nextDueAt < next) next = entry.nextDueAt;
    }
    this.timers.clearTimeout(this.timer);
    // A wait longer than a timer can hold (interval: 4w) wakes up early, finds nothing due and
    // sets the next step: a longer setTimeout would fire after 1 ms and spin.
    this.timer = next === undefined ? undefined : this.timers.setTimeout(() => this.pump(), Math.min(MAX_TIMER_MS, Math.max(0, next - now)));
  }

  private launch(entry: Entry): void {
    const { check } = entry;
    const startedAt = this.timers.now();
    // A signal of its own per check: what hangs on it (restic's process, push deadlines)
    // dies with the check instead of piling up on one signal that lives as long as the
    // daemon (where a dozen checks in flight set off a MaxListenersExceededWarning).
    const own = this.checks.child();
    const done = (async () => {
      try {
        const result = await this.options.check(check, own.signal);
        if (!this.stopped && this.entries.get(check.name) === entry) this.options.onResult(result, check);
      } catch (error) {
        this.options.onError?.(error, check);
      } finally {
        own.release();
        this.inFlight.delete(check.name);
        const now = this.timers.now();
        entry.lastProgressAt = now;
        entry.nextDueAt = entry.changed ? now : this.following(entry.check, startedAt, now);
        entry.changed = false;
        this.pump();
      }
      // A throwing onError must not become an unhandled rejection that ends the daemon: the
      // bookkeeping above has run either way.
    })().catch(() => undefined);
    this.inFlight.set(check.name, done);
  }

  /**
   * When a check that started at `startedAt` and ended `now` is next due. A schedule's next
   * run after `now`: runs missed while the check ran are skipped, not caught up; one that
   * has no run left is never due again (Infinity: the timer waits in steps, finding nothing).
   */
  private following(check: Check, startedAt: number, now: number): number {
    if (check.schedule !== undefined) {
      return nextRunAfter(check.schedule, check.timeZone ?? processTimeZone(), now) ?? Infinity;
    }
    const interval = check.intervalMs;
    return this.nextDue(check, Math.max(now, startedAt + interval + jitterMs(interval, this.random)));
  }

  /**
   * A group member takes the due time its group already has for the coming interval, so
   * that queueing delays and jitter never pull the members apart; the first one to finish
   * sets it.
   */
  private nextDue(check: Check, candidate: number): number {
    const group = this.options.groupOf?.(check);
    if (group === undefined) return candidate;
    const known = this.groupDue.get(group);
    if (known !== undefined && Math.abs(known - candidate) <= check.intervalMs / 2) return known;
    this.groupDue.set(group, candidate);
    return candidate;
  }
}
