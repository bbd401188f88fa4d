import { execFile } from 'node:child_process';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from './paths.js';

const exec = promisify(execFile);

/** Debian builds of restic the reader is checked against, beside Debian 12's 0.14 on PATH. */
const DEBIAN = {
  '0.18': 'trixie',
  '0.19': 'sid',
} as const;

export type ResticRelease = '0.14' | keyof typeof DEBIAN;

const dirs = new Map<ResticRelease, Promise<string>>();

/**
 * The directory holding a restic release's binary, for PATH. 0.14 is the system's own;
 * the others are fetched once into the same cache scripts/test.sh uses. A release that
 * cannot be had fails the test that asked for it.
 */
export function resticDir(release: ResticRelease): Promise<string> {
  let dir = dirs.get(release);
  if (!dir) {
    dir = release === '0.14' ? systemRestic() : fetchRelease(release);
    dirs.set(release, dir);
  }
  return dir;
}

/** Debian 12's package, even when a newer release is first on PATH (scripts/test.sh's 0.18 pass). */
async function systemRestic(): Promise<string> {
  const { stdout } = await exec('sh', ['-c', 'command -v restic; echo /usr/bin/restic']);
  for (const binary of stdout.split('\n').filter((line) => line !== '')) {
    const version = await exec(binary, ['version']).then(({ stdout: text }) => text, () => '');
    if (version.startsWith('restic 0.14.')) return binary.slice(0, binary.lastIndexOf('/'));
  }
  throw new Error('restic 0.14 (Debian 12) is not installed');
}

async function fetchRelease(release: keyof typeof DEBIAN): Promise<string> {
  const cache = process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache');
  const suite = DEBIAN[release];
  // The same cache directories scripts/test.sh fills, so a release is fetched once.
  const { stdout } = await exec('bash', [join(ROOT, 'scripts', 'restic-debian.sh'), suite, join(cache, 'restic-monitor', `restic-${suite}`)], { timeout: 300_000 });
  return stdout.trim().split('\n').pop()!;
}

/** Environment for running one release: its directory first on PATH. */
export async function resticEnv(release: ResticRelease, env: Record<string, string> = {}): Promise<Record<string, string>> {
  return { PATH: `${await resticDir(release)}:${process.env.PATH ?? ''}`, ...env };
}
