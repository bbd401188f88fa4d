import { readFile as fsReadFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EnvFileError, parseEnvFile } from './env-file.js';
import { describeFsError } from '../fs-errors.js';
import { isPlainEnvName } from './plain-env.js';

type Env = Readonly<Record<string, string | undefined>>;

/** Far above any real secrets file; stops a wrong path (a log, a disk image) early. */
export const MAX_ENV_FILE_BYTES = 1024 * 1024;

export interface LoadedEnv {
  /** The process environment with the file's values laid over it. */
  env: Record<string, string | undefined>;
  /** The file's values that must never be shown. */
  secrets: string[];
  /** The file actually read, or undefined when none was asked for. */
  path?: string;
}

/**
 * Where `name` is read from. Under systemd, `LoadCredential=env:/run/secrets/x` puts the
 * file in $CREDENTIALS_DIRECTORY; a bare name (no "/") refers to a credential there, so the
 * unit never has to spell out the directory. Any name with a "/" is an ordinary path.
 */
export function resolveEnvFilePath(name: string, env: Env): string {
  const credentials = env.CREDENTIALS_DIRECTORY;
  if (credentials && !name.includes('/')) return join(credentials, name);
  return name;
}

/** `--env-file` wins over RESTIC_MONITOR_ENV_FILE; neither means the environment as it is. */
export async function loadEnvFile(
  option: string | undefined,
  env: Env,
  readFile: (path: string) => Promise<Buffer> = (path) => fsReadFile(path),
): Promise<LoadedEnv> {
  const name = option ?? (env.RESTIC_MONITOR_ENV_FILE || undefined);
  if (name === undefined) return { env: { ...env }, secrets: [] };
  const path = resolveEnvFilePath(name, env);
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new EnvFileError(`cannot read env file ${path}: ${describeFsError(error as NodeJS.ErrnoException)}`);
  }
  if (bytes.length > MAX_ENV_FILE_BYTES) {
    throw new EnvFileError(`env file ${path} is too large (${bytes.length} bytes; at most ${MAX_ENV_FILE_BYTES})`);
  }
  const values = parseEnvFile(bytes.toString('utf8'), `env file ${path}`);
  const secrets = Object.entries(values).flatMap(([key, value]) => (isPlainEnvName(key) ? [] : [value]));
  return { env: { ...env, ...values }, secrets, path };
}
