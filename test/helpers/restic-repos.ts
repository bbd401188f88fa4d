import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);

export const PASSWORD = 'repo-password-for-tests';

/**
 * A restic command with the test password; throws with restic's stderr when it fails.
 * restic reads `backup --time` in its local zone and the tests write those times in UTC, so
 * restic runs with TZ=UTC whatever zone the suite runs under.
 */
export async function restic(args: string[], env: Record<string, string> = {}): Promise<string> {
  try {
    const { stdout } = await exec('restic', args, {
      env: { ...process.env, RESTIC_PASSWORD: PASSWORD, RESTIC_CACHE_DIR: join(tmpdir(), 'restic-monitor-test-cache'), TZ: 'UTC', ...env },
      maxBuffer: 64 * 1024 * 1024,
    });
    return stdout;
  } catch (error) {
    const failure = error as { stderr?: string; message: string };
    throw new Error(`restic ${args.join(' ')} failed: ${failure.stderr ?? failure.message}`);
  }
}

export interface SnapshotSpec {
  host?: string;
  /** restic --time in UTC: "2020-01-01 00:00:00" makes a back-dated (stale) snapshot. */
  time?: string;
  tags?: string[];
}

let dataDir: Promise<string> | undefined;
/** A tiny directory to back up, made once per test process. */
function sourceData(): Promise<string> {
  dataDir ??= (async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rm-data-'));
    await mkdir(join(dir, 'etc'));
    await writeFile(join(dir, 'etc', 'hosts'), '127.0.0.1 localhost\n');
    return dir;
  })();
  return dataDir;
}

/** Initialises a repository at `url` and makes one snapshot per spec, in order. */
export async function makeRepository(url: string, snapshots: SnapshotSpec[] = [], env: Record<string, string> = {}): Promise<string> {
  await restic(['-r', url, 'init'], env);
  const data = await sourceData();
  for (const snapshot of snapshots) {
    const args = ['-r', url, 'backup', '--quiet', data, '--host', snapshot.host ?? 'test-host'];
    if (snapshot.time) args.push('--time', snapshot.time);
    for (const tag of snapshot.tags ?? []) args.push('--tag', tag);
    await restic(args, env);
  }
  return url;
}

export async function tempDir(prefix = 'rm-test-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

/** "YYYY-MM-DD HH:MM:SS" in UTC for `restic backup --time`, `ago` milliseconds back. */
export function resticTime(agoMs: number, now = Date.now()): string {
  return new Date(now - agoMs).toISOString().slice(0, 19).replace('T', ' ');
}

/** One entry of `restic snapshots --json`, as far as the tests read it. */
export interface ListedSnapshot {
  time: string;
  hostname: string;
  summary?: { backup_start: string; backup_end: string };
}

/** Every snapshot of a repository, as restic itself lists them. */
export async function listSnapshots(url: string): Promise<ListedSnapshot[]> {
  return JSON.parse(await restic(['-r', url, 'snapshots', '--json', '--no-lock'])) as ListedSnapshot[];
}

/**
 * The instant the monitor counts a snapshot's age from: the end of its backup on the
 * snapshot's own clock (`time` + backup_end - backup_start) when restic 0.17+ wrote a
 * summary, else `time`.
 */
export function countedFrom(snapshot: ListedSnapshot): Date {
  const time = Date.parse(snapshot.time);
  if (!snapshot.summary) return new Date(time);
  return new Date(time + Date.parse(snapshot.summary.backup_end) - Date.parse(snapshot.summary.backup_start));
}

/** `restic version` of the restic on PATH, e.g. [0, 19, 1]. */
export async function resticVersion(): Promise<number[]> {
  const { stdout } = await exec('restic', ['version']);
  return /restic (\d+)\.(\d+)\.(\d+)/.exec(stdout)!.slice(1).map(Number);
}
