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
