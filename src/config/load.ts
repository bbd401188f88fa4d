import { readFile, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { ConfigError } from './errors.js';
import { describeFsError } from '../fs-errors.js';
import { parseConfig, type Env } from './parse.js';
import type { Config } from './types.js';

/** Far above any real fleet's config (1,000 repositories take ~100 KiB); stops a wrong file early. */
export const MAX_CONFIG_BYTES = 4 * 1024 * 1024;

/** The I/O edge of config loading: read the file, then hand its text to parseConfig. */
export async function loadConfig(path: string, env: Env): Promise<Config> {
  let text: string;
  try {
    const info = await stat(path);
    if (info.isDirectory()) throw new ConfigError([`cannot read config file ${path}: it is a directory`]);
    if (info.size > MAX_CONFIG_BYTES) {
      throw new ConfigError([`config file ${path} is too large (${(info.size / 1048576).toFixed(1)} MiB; at most ${MAX_CONFIG_BYTES / 1048576} MiB)`]);
    }
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError([`cannot read config file ${path}: ${describeFsError(error as NodeJS.ErrnoException)}`]);
  }
  return parseConfig(text, env, { defaultConcurrency: availableParallelism() });
}
