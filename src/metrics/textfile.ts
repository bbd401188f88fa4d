import { rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Writes `text` to `path` so that a reader (node_exporter's textfile collector) sees the old
 * file or the new one, never half of one: write a temporary file in the same directory,
 * then rename it over the target. The temporary name does not end in `.prom`, so the
 * collector never picks it up.
 */
export async function writeTextfile(path: string, text: string, pid: number = process.pid): Promise<void> {
  const temporary = join(dirname(path), `.${basename(path)}.${pid}.tmp`);
  try {
    await writeFile(temporary, text, { mode: 0o644 });
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
