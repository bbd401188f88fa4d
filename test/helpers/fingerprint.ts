import { readdir, readFile, stat } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { join, relative } from 'node:path';

/** Every file and directory under `root` with its mode, size, mtime and content hash. */
export async function fingerprint(root: string): Promise<string[]> {
  const rows: string[] = [];
  const walk = async (dir: string) => {
    for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(dir, entry.name);
      const info = await stat(path);
      const hash = entry.isFile() ? createHash('sha256').update(await readFile(path)).digest('hex').slice(0, 16) : '-';
      rows.push(`${relative(root, path)} ${info.mode.toString(8)} ${info.size} ${info.mtimeMs} ${hash}`);
      if (entry.isDirectory()) await walk(path);
    }
  };
  await walk(root);
  return rows;
}
