import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseConfig } from '../../src/config/parse.js';
import { UptimeKumaTarget } from '../../src/push/uptime-kuma.js';
import { worstCaseCycleMs } from '../../src/run/bounds.js';
import { maxJitterMs } from '../../src/daemon/timers.js';
import { logLines, startDaemon } from './daemon-process.js';
import { FIXTURES } from './paths.js';
import { processesWithEnv, survivors } from './processes.js';
import { KUMA, startPushReceiver, type Answer } from './push-receiver.js';
import { tempDir } from './restic-repos.js';
import { judge, parseRuns, pick, seeded, type PushFault, type ResticFault, type SeenBeat } from './soak-judge.js';

export interface SoakOptions {
  seconds: number;
  seed: number;
  /** At most the check concurrency and the 16 push slots: then no repository waits for a slot. */
  repositories: number;
  /** Added to the stated bound for a loaded machine (process start-up, a late timer). */
  slackMs: number;
  log?: (line: string) => void;
}

export interface SoakReport {
  seconds: number;
  seed: number;
  repositories: number;
  /** restic runs (one per cycle) and beats Kuma recorded. */
  cycles: number;
  beats: number;
  matched: number;
  redelivered: number;
  pushRequests: number;
  resticFaults: Record<string, number>;
  pushFaults: Record<string, number>;
  maxGapMs: number;
  gapBoundMs: number;
  rssMiB: { afterWarmUp: number; end: number; peak: number };
  healthChecks: number;
  stop: { code: number | null; ms: number; leftoverProcesses: number };
  problems: string[];
}

const RESTIC_WEIGHTS: Record<ResticFault, number> = { fresh: 40, stale: 10, hang: 10, panic: 10, junk: 15, 'wrong-password': 15 };
const PUSH_WEIGHTS: Record<PushFault, number> = { ok: 55, busy: 15, fails: 10, hangs: 10, endless: 10 };
const PUSH_ANSWERS: Record<Exclude<PushFault, 'ok'>, Answer> = { busy: [404, KUMA.busy], fails: [500, 'Internal Server Error'], hangs: 'hang', endless: 'endless' };

/** The soak's daemon config: short intervals and timeouts, so that many cycles fit. */
function configText(repositories: number, pushUrl: string): string {
  const entries = Array.from({ length: repositories }, (_, i) => `  r${i}: {url: /soak/r${i}, push_token: tok-soak-${i}}`).join('\n');
  return `listen: 127.0.0.1:0\nconcurrency: ${repositories}\ndefaults:\n  interval: 2s\n  timeout: 3s\n  push_timeout: 1s\n  push_url: ${pushUrl}\nrepositories:\n${entries}\n`;
}

/**
 * A daemon under random faults (seeded) from restic and from its push target, for
 * `seconds`; then a clean stop. Returns what it saw; `problems` lists every broken promise:
 * a beat that lies, a repository that waited past the bound, /healthz not 200, RSS that
 * grew, an unclean stop.
 */
export async function soak(options: SoakOptions): Promise<SoakReport> {
  const log = options.log ?? (() => undefined);
  const random = seeded(options.seed);
  const dir = await tempDir('rm-soak-');
  const tokens = Array.from({ length: options.repositories }, (_, i) => `tok-soak-${i}`);
  const receiver = await startPushReceiver(tokens);
  const pushFaults: Record<string, number> = {};
  receiver.fault = () => {
    const fault = pick(random, PUSH_WEIGHTS);
    pushFaults[fault] = (pushFaults[fault] ?? 0) + 1;
    return fault === 'ok' ? undefined : PUSH_ANSWERS[fault];
  };
  // Enough planned runs for back-to-back 2 s cycles; a run past the plan is fresh.
  const planned = Math.ceil(options.seconds / 2) + 20;
  for (let i = 0; i < options.repositories; i++) {
    const plan = Array.from({ length: planned }, () => pick(random, RESTIC_WEIGHTS));
    await writeFile(join(dir, `r${i}.plan`), `${plan.join('\n')}\n`);
  }
  const text = configText(options.repositories, receiver.pushUrl);
  const config = join(dir, 'config.yaml');
  await writeFile(config, text);
  // The bound docs/reliability.md states: the longer of an interval with its jitter and the
  // worst-case cycle (check timeout, kill grace, every push attempt and backoff).
  const repository = parseConfig(text, {}).checks[0]!;
  const gapBoundMs = Math.max(repository.intervalMs + maxJitterMs(repository.intervalMs), worstCaseCycleMs(repository, [new UptimeKumaTarget()])) + options.slackMs;

  const problems: string[] = [];
  const beats: SeenBeat[] = [];
  const rss: number[] = [];
  let healthChecks = 0;
  const startAt = Date.now();
  const daemon = await startDaemon(['-c', config], { RESTIC_MONITOR_READER: 'restic', RESTIC_MONITOR_RESTIC: join(FIXTURES, 'restic-faulty'), FAKE_FAULTS_DIR: dir });
  let stop: SoakReport['stop'] = { code: null, ms: NaN, leftoverProcesses: NaN };
  let stopAt = NaN;
  try {
    const endAt = Date.now() + options.seconds * 1000;
    let nextReport = Date.now() + 60_000;
    while (Date.now() < endAt) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      if (daemon.child.exitCode !== null) throw new Error(`the daemon exited with ${daemon.child.exitCode}:\n${daemon.stderr().slice(-2000)}`);
      rss.push(await rssMiB(daemon.pid));
      const health = await fetch(`${daemon.url}/healthz`);
      const body = await health.text();
      healthChecks++;
      if (health.status !== 200) problems.push(`/healthz answered ${health.status} after ${Math.round((Date.now() - startAt) / 1000)} s: ${body.trim()}`);
      // The receiver's list is drained as it goes: only the soak's copy grows, one small entry a beat.
      for (const beat of receiver.beats.splice(0)) {
        beats.push({ at: beat.at, repository: `r${beat.token.slice('tok-soak-'.length)}`, status: beat.status, msg: beat.msg, url: beat.rawUrl });
      }
      if (Date.now() >= nextReport) {
        nextReport += 60_000;
        log(`  ${Math.round((Date.now() - startAt) / 1000)} s: ${beats.length} beats, RSS ${rss.at(-1)!.toFixed(1)} MiB`);
      }
    }
  } finally {
    stopAt = Date.now();
    const stopped = await daemon.stop('SIGTERM');
    // PIDs are reused within minutes (pid_max 32768): look for the soak's own processes by
    // the variable only they carry, not by the PIDs the fixture wrote.
    const left = await survivors(await processesWithEnv(`FAKE_FAULTS_DIR=${dir}`));
    stop = { code: stopped.code, ms: stopped.ms, leftoverProcesses: left.length };
    for (const beat of receiver.beats.splice(0)) beats.push({ at: beat.at, repository: `r${beat.token.slice('tok-soak-'.length)}`, status: beat.status, msg: beat.msg, url: beat.rawUrl });
    await receiver.close();
  }

  const runs = parseRuns(await readFile(join(dir, 'runs.log'), 'utf8').catch(() => ''));
  const verdict = judge(runs, beats, { startAt, stopAt }, gapBoundMs);
  problems.push(...verdict.problems);
  if (stop.code !== 0) problems.push(`the daemon exited with ${stop.code} after SIGTERM`);
  if (stop.leftoverProcesses > 0) problems.push(`${stop.leftoverProcesses} restic processes left after the stop`);
  const lines = logLines(daemon.stderr());
  if (!lines.some((line) => line.msg === 'daemon stopped')) problems.push('no "daemon stopped" in the log');
  for (const line of lines) if (/internal error/.test(String(line.msg))) problems.push(`logged: ${String(line.msg)}`);
  if (/Warning/.test(daemon.stderr())) problems.push(`a warning in the log: ${/.*Warning.*/.exec(daemon.stderr())![0]}`);
  // Flat: after warm-up (the first third), at most 24 MiB or 20% more, whichever is larger.
  const afterWarmUp = rss[Math.floor(rss.length / 3)] ?? NaN;
  const end = rss.at(-1) ?? NaN;
  if (!(end <= afterWarmUp + Math.max(24, afterWarmUp * 0.2))) problems.push(`RSS grew from ${afterWarmUp.toFixed(1)} MiB after warm-up to ${end.toFixed(1)} MiB`);

  const resticFaults: Record<string, number> = {};
  for (const run of runs) resticFaults[run.kind] = (resticFaults[run.kind] ?? 0) + 1;
  return {
    seconds: options.seconds,
    seed: options.seed,
    repositories: options.repositories,
    cycles: runs.length,
    beats: beats.length,
    matched: verdict.matched,
    redelivered: verdict.redelivered,
    pushRequests: Object.values(pushFaults).reduce((sum, count) => sum + count, 0),
    resticFaults,
    pushFaults,
    maxGapMs: verdict.maxGapMs,
    gapBoundMs,
    rssMiB: { afterWarmUp, end, peak: Math.max(...rss) },
    healthChecks,
    stop,
    problems,
  };
}

async function rssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1]) / 1024;
}
