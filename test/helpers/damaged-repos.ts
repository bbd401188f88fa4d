import { createHash } from 'node:crypto';
import { cp, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeRepository, restic } from './restic-repos.js';

/** A repository's pack files, largest first (the one holding a backup's file data). */
export async function packFiles(repo: string): Promise<Array<{ path: string; id: string; size: number }>> {
  const files: Array<{ path: string; id: string; size: number }> = [];
  for (const dir of await readdir(join(repo, 'data'))) {
    for (const name of await readdir(join(repo, 'data', dir))) {
      const path = join(repo, 'data', dir, name);
      files.push({ path, id: name, size: (await stat(path)).size });
    }
  }
  return files.sort((a, b) => b.size - a.size);
}

/** A repository with one backup of incompressible files: a data pack apart from the small tree pack. */
export async function repositoryWithData(repo: string, scratch: string): Promise<string> {
  const data = join(scratch, 'integrity-data');
  await mkdir(data, { recursive: true });
  for (let i = 0; i < 20; i++) await writeFile(join(data, `f${i}`), createHash('sha512').update(String(i)).digest().toString('hex').repeat(300));
  await makeRepository(repo);
  await restic(['-r', repo, 'backup', '--quiet', data]);
  return repo;
}

/**
 * A copy of `repo` whose largest pack has 16 bytes overwritten in its middle. Returns the
 * pack's ID and the hash of what it now holds, each as the 8 digits restic shows.
 */
export async function corruptedCopy(repo: string, copy: string): Promise<{ id: string; now: string }> {
  await cp(repo, copy, { recursive: true });
  const [largest] = await packFiles(copy);
  const bytes = await readFile(largest!.path);
  bytes.write('XXXXXXXXXXXXXXXX', 1000);
  await writeFile(largest!.path, bytes);
  return { id: largest!.id.slice(0, 8), now: createHash('sha256').update(bytes).digest('hex').slice(0, 8) };
}

/** A copy of `repo` with its largest pack deleted; returns that pack's 8-digit ID. */
export async function copyWithoutPack(repo: string, copy: string): Promise<string> {
  await cp(repo, copy, { recursive: true });
  const [largest] = await packFiles(copy);
  await rm(largest!.path);
  return largest!.id.slice(0, 8);
}
