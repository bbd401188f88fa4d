import { decompress } from 'fzstd';
import { ReaderError } from './errors.js';

/**
 * Pure: the JSON document in a decrypted config, snapshot, lock or index file
 * (doc/design.rst, "Unpacked Data Format"). Format version 1 stores plain JSON; version 2
 * prefixes one encoding byte: '[' or '{' still mean plain JSON (the byte is part of it),
 * 2 means zstd-compressed JSON. Any other byte is a format this reader does not know.
 */
export function unpackJson(name: string, plain: Buffer, repositoryVersion: number): unknown {
  let text: Buffer = plain;
  const first = plain[0];
  if (repositoryVersion >= 2 && first !== 0x5b && first !== 0x7b) {
    if (first !== 2) throw new ReaderError('unsupported', `${name} uses encoding version ${first ?? 'none'}, which this reader does not know`);
    try {
      text = Buffer.from(decompress(plain.subarray(1)));
    } catch {
      throw new ReaderError('damaged', `${name} is damaged: its zstd data does not decompress`);
    }
  }
  try {
    return JSON.parse(text.toString('utf8'));
  } catch {
    throw new ReaderError('damaged', `${name} is damaged: not valid JSON`);
  }
}

/** The repository versions this reader reads; restic itself knows these two. */
export const KNOWN_VERSIONS = [1, 2] as const;

export interface RepositoryConfigFile {
  version: 1 | 2;
  id: string;
}

/** Pure: the decrypted `config` file, refusing a version this reader does not know. */
export function parseRepositoryConfig(plain: Buffer): RepositoryConfigFile {
  // The config file is never compressed (design.rst, "Changes"), so version 1 rules apply.
  const json = unpackJson('config', plain, 1) as { version?: unknown; id?: unknown } | null;
  const version = json?.version;
  if (typeof version !== 'number') throw new ReaderError('damaged', 'config is damaged: it names no repository version');
  if (version !== 1 && version !== 2) {
    throw new ReaderError('unsupported', `repository format version ${version} is not supported by the built-in reader (it reads versions 1 and 2)`);
  }
  return { version, id: typeof json?.id === 'string' ? json.id : '' };
}
