import { readFile as fsReadFile } from 'node:fs/promises';
import { ReaderError } from './errors.js';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * The repository password exactly as restic finds it (global.go, resolvePassword): from
 * RESTIC_PASSWORD_FILE (BOM and UTF-16 handled, surrounding white space trimmed), else
 * RESTIC_PASSWORD. `env` is the process environment with the repository's extra_env laid
 * over it, as restic would see it. RESTIC_PASSWORD_COMMAND runs a program: that stays the
 * restic binary's job, so it is `unsupported` here (reader: auto then uses the binary).
 */
export async function resolvePassword(env: Env, readFile: (path: string) => Promise<Buffer> = fsReadFile): Promise<string> {
  const file = env.RESTIC_PASSWORD_FILE;
  const command = env.RESTIC_PASSWORD_COMMAND;
  if (file && command) throw new ReaderError('password', 'RESTIC_PASSWORD_FILE and RESTIC_PASSWORD_COMMAND are both set (restic accepts only one)');
  if (command) throw new ReaderError('unsupported', 'RESTIC_PASSWORD_COMMAND is run by the restic binary only');
  let password = '';
  if (file) {
    let bytes: Buffer;
    try {
      bytes = await readFile(file);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw new ReaderError('password', `password file ${file} does not exist`);
      if (code === 'EACCES' || code === 'EPERM') throw new ReaderError('password', `permission denied reading password file ${file}`);
      throw new ReaderError('password', `cannot read password file ${file} (${code ?? 'unknown error'})`);
    }
    password = decodeText(bytes).trim();
  } else {
    password = env.RESTIC_PASSWORD ?? '';
  }
  if (password === '') throw new ReaderError('password', 'no repository password given (set RESTIC_PASSWORD or RESTIC_PASSWORD_FILE in extra_env)');
  return password;
}

/** restic's textfile.Read: a UTF-8 or UTF-16 byte order mark says how to decode. */
function decodeText(bytes: Buffer): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes.subarray(2));
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return bytes.subarray(3).toString('utf8');
  return bytes.toString('utf8');
}
