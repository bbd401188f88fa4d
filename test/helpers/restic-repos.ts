import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { access, cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { keyFile } from './crafted-files.js';
import { seal, type MasterKeyJson } from './seal.js';

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

/**
 * restic's key derivation costs about 0.4 s of CPU at the scrypt parameters `restic init`
 * calibrates, and every restic command on a repository pays it once: a third of the whole
 * suite's CPU time went there (695 CPU-s before, 478 after). So a local repository is laid
 * out as the restic on PATH laid out one `restic init` per test process and PATH (its
 * directories and chunker polynomial), with what init makes anew each time made anew here:
 * a random master key, a random id, and a key file whose scrypt parameters are N=1024, r=8,
 * p=1. restic opens it in a millisecond and reads and writes it as any other. Key derivation
 * at its real cost is tested where it is the subject (test/checkers/reader/reader-kdf and
 * derivation, reader-agreement's keys, the bench).
 */
const CHEAP_KEY = { N: 1024, r: 8, p: 1 };

interface Template {
  /** An initialised repository without its config and keys. */
  dir: string;
  config: { version: number; chunker_polynomial: string };
}

/** One per PATH: a test may run several restic releases (restic-versions.ts, resticEnv). */
const templates = new Map<string, Promise<Template>>();
function repositoryTemplate(path = process.env.PATH ?? ''): Promise<Template> {
  let template = templates.get(path);
  if (template) return template;
  template = (async () => {
    const dir = join(await tempDir('rm-template-'), 'repository');
    await restic(['-r', dir, 'init'], { PATH: path });
    const config = JSON.parse(await restic(['-r', dir, 'cat', 'config'], { PATH: path })) as Template['config'];
    await rm(join(dir, 'config'));
    await rm(join(dir, 'keys'), { recursive: true });
    await mkdir(join(dir, 'keys'));
    return { dir, config };
  })();
  templates.set(path, template);
  return template;
}

/** Poly1305's clamp of r, which restic applies to a new MAC key. */
const R_MASK = [0xff, 0xff, 0xff, 0x0f, 0xfc, 0xff, 0xff, 0x0f, 0xfc, 0xff, 0xff, 0x0f, 0xfc, 0xff, 0xff, 0x0f];

function newMasterKey(): MasterKeyJson {
  const r = randomBytes(16).map((byte, i) => byte & R_MASK[i]!);
  return { mac: { k: randomBytes(16).toString('base64'), r: Buffer.from(r).toString('base64') }, encrypt: randomBytes(32).toString('base64') };
}

/** The variables that change nothing about how `restic init` lays out a repository. */
const INERT = new Set(['PATH', 'RESTIC_PASSWORD', 'RESTIC_CACHE_DIR', 'TZ']);

export interface InitOptions {
  /**
   * `restic init` itself, its key at the cost restic calibrates: for the bench, which
   * measures what a real repository costs to open.
   */
  resticKey?: boolean;
}

/** What `restic init` writes that differs between repositories: the config and a key file. */
export interface RepositoryFiles {
  config: Buffer;
  key: { id: string; text: string };
}

/** A new repository's config and key file, laid out as the restic on `path` lays them out. */
export async function newRepositoryFiles(password = PASSWORD, path?: string): Promise<RepositoryFiles> {
  const { config } = await repositoryTemplate(path);
  const master = newMasterKey();
  return {
    config: seal(master, Buffer.from(JSON.stringify({ ...config, id: randomBytes(32).toString('hex') }))),
    key: keyFile(master, password, CHEAP_KEY, 'test-host'),
  };
}

/**
 * `restic init` of `url`; for a local path, the same repository made as described above, as
 * the restic on `env.PATH` would: its own master key and id, opened by the password at a
 * cheap cost.
 * An S3 repository on the test's s3rver is made by `S3rver.initRepository`.
 */
export async function initRepository(url: string, env: Record<string, string> = {}, options: InitOptions = {}): Promise<void> {
  const path = url.startsWith('local:') ? url.slice('local:'.length) : url;
  if (options.resticKey || /^[a-z0-9]+:/i.test(path) || Object.keys(env).some((name) => !INERT.has(name))) {
    await restic(['-r', url, 'init'], env);
    return;
  }
  const target = resolve(path);
  const exists = await access(join(target, 'config')).then(() => true, () => false);
  if (exists) throw new Error(`restic -r ${url} init failed: config file already exists`);
  const { dir } = await repositoryTemplate(env.PATH);
  await cp(dir, target, { recursive: true });
  const { config, key } = await newRepositoryFiles(env.RESTIC_PASSWORD, env.PATH);
  await writeFile(join(target, 'config'), config);
  await writeFile(join(target, 'keys', key.id), key.text);
}

/** Initialises a repository at `url` and makes one snapshot per spec, in order. */
export async function makeRepository(url: string, snapshots: SnapshotSpec[] = [], env: Record<string, string> = {}, options: InitOptions = {}): Promise<string> {
  await initRepository(url, env, options);
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
