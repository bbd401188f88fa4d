/**
 * Pure: what a soak saw, held against the truth. Each restic run logged the fault it acted
 * out; each beat Uptime Kuma recorded must say what that run's check found. Kept apart from
 * the harness (soak.ts) so that the rules can be read, and tested, on their own.
 */

export type ResticFault = 'fresh' | 'stale' | 'hang' | 'panic' | 'junk' | 'wrong-password';
export type PushFault = 'ok' | 'busy' | 'fails' | 'hangs' | 'endless';

/** One restic run, as the fixture logged it. */
export interface Run {
  at: number;
  repository: string;
  n: number;
  kind: ResticFault;
}

/** One beat Kuma recorded. */
export interface SeenBeat {
  at: number;
  repository: string;
  status: 'up' | 'down';
  msg: string;
  /** The request as sent: a retry of the same push repeats it exactly. */
  url: string;
}

/** What each kind of run must turn into: a status and the message a user reads. */
export const TRUTH: Record<ResticFault, { status: 'up' | 'down'; msg: RegExp }> = {
  fresh: { status: 'up', msg: /^latest snapshot 1h ago \(max 1d\)$/ },
  stale: { status: 'down', msg: /^stale: latest snapshot 3d ago \(max 1d\)$/ },
  hang: { status: 'down', msg: /^check failed: timed out after \d+s$/ },
  // How a panic is worded belongs to restic-errors.ts; here it only has to be a failure that says so.
  panic: { status: 'down', msg: /^check failed: .*(panic|code 2)/ },
  junk: { status: 'down', msg: /^check failed: unreadable output from restic/ },
  'wrong-password': { status: 'down', msg: /^check failed: wrong password or no key found$/ },
};

export function parseRuns(log: string): Run[] {
  return log
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [at, repository, n, kind] = line.split(' ');
      return { at: Number(at), repository: repository!, n: Number(n), kind: kind as ResticFault };
    });
}

export interface Judgement {
  /** Beats held against their run. */
  matched: number;
  /**
   * Beats Kuma recorded twice: the same push sent again because its first answer came after
   * push_timeout (a push is delivered at least once). Both carry the same truth.
   */
  redelivered: number;
  /** The longest wait between two checks of one repository (or from start / to stop). */
  maxGapMs: number;
  problems: string[];
}

/**
 * Every beat belongs to the repository's last run that started before it (a repository's
 * next check starts only after its push ended) and must carry that run's truth; a run may
 * have a second beat only as a redelivery of the same push; no repository may wait longer than `gapBoundMs` for its next check.
 */
export function judge(runs: readonly Run[], beats: readonly SeenBeat[], window: { startAt: number; stopAt: number }, gapBoundMs: number): Judgement {
  const problems: string[] = [];
  const byRepository = new Map<string, Run[]>();
  for (const run of runs) byRepository.set(run.repository, [...(byRepository.get(run.repository) ?? []), run]);
  for (const list of byRepository.values()) list.sort((a, b) => a.at - b.at);

  const beaten = new Map<Run, SeenBeat>();
  let matched = 0;
  let redelivered = 0;
  for (const beat of beats) {
    const list = byRepository.get(beat.repository) ?? [];
    const run = list.filter((candidate) => candidate.at <= beat.at).at(-1);
    if (!run) {
      problems.push(`${beat.repository}: a beat (${beat.status} "${beat.msg}") before any check`);
      continue;
    }
    const earlier = beaten.get(run);
    if (earlier?.url === beat.url) redelivered++;
    else if (earlier) problems.push(`${beat.repository}: two different beats for run ${run.n}`);
    beaten.set(run, beat);
    const truth = TRUTH[run.kind];
    if (beat.status !== truth.status || !truth.msg.test(beat.msg)) {
      problems.push(`${beat.repository} run ${run.n} (${run.kind}): beat ${beat.status} "${beat.msg}", expected ${truth.status} ${truth.msg}`);
    } else {
      matched++;
    }
  }

  let maxGapMs = 0;
  const gap = (repository: string, from: number, to: number, what: string) => {
    maxGapMs = Math.max(maxGapMs, to - from);
    if (to - from > gapBoundMs) problems.push(`${repository}: ${what}: ${to - from} ms without a check (bound ${gapBoundMs} ms)`);
  };
  for (const [repository, list] of byRepository) {
    gap(repository, window.startAt, list[0]!.at, 'from the start to its first check');
    for (let i = 1; i < list.length; i++) gap(repository, list[i - 1]!.at, list[i]!.at, `between runs ${list[i - 1]!.n} and ${list[i]!.n}`);
    gap(repository, list.at(-1)!.at, window.stopAt, 'from its last check to the stop');
  }
  return { matched, redelivered, maxGapMs, problems };
}

/** A small seeded PRNG (mulberry32): the same seed draws the same faults. */
export function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Draws one of `weights`' keys, each as likely as its weight. */
export function pick<K extends string>(random: () => number, weights: Record<K, number>): K {
  const entries = Object.entries(weights) as Array<[K, number]>;
  let point = random() * entries.reduce((sum, [, weight]) => sum + weight, 0);
  for (const [key, weight] of entries) {
    point -= weight;
    if (point < 0) return key;
  }
  return entries.at(-1)![0];
}
