import { ReaderError } from './errors.js';
import { MAX_FILE_BYTES, mebibytes } from './limits.js';
import { decompressCapped, ZstdRefused } from './zstd.js';

/**
 * Pure: the JSON text in a decrypted config, snapshot, lock or index file (doc/design.rst,
 * "Unpacked Data Format"), at most `maxBytes` of it. Format version 1 stores plain JSON;
 * version 2 prefixes one encoding byte: '[' or '{' still mean plain JSON (the byte is part of
 * it), 2 means zstd-compressed JSON. restic calls every other byte an unsupported format;
 * here a byte below 0x20 that is not JSON white space is read as an encoding version (a
 * future restic's, `unsupported`: the binary may read it), and any other byte as the start
 * of text that should have been JSON: the file is damaged ("this is {not json" starts with
 * 't', 116, which is text, not encoding version 116).
 */
export function unpackText(name: string, plain: Buffer, repositoryVersion: number, maxBytes: number): string {
  let text: Buffer = plain;
  const first = plain[0];
  if (repositoryVersion >= 2 && first !== 0x5b && first !== 0x7b) {
    if (first === undefined || !isEncodingVersion(first)) throw new ReaderError('damaged', `${name} is damaged: not valid JSON`);
    if (first !== 2) throw new ReaderError('unsupported', `${name} uses encoding version ${first}, which this reader does not know`);
    try {
      text = decompressCapped(plain.subarray(1), maxBytes);
    } catch (error) {
      if (!(error instanceof ZstdRefused)) throw error;
      throw new ReaderError(error.limit ? 'limit' : 'damaged', `${name} ${error.message}`);
    }
  } else if (plain.length > maxBytes) {
    throw new ReaderError('limit', `${name} holds more than ${mebibytes(maxBytes)}`);
  }
  return text.toString('utf8');
}

/** Pure: a file's JSON document (unpackText, then parsed). */
export function unpackJson(name: string, plain: Buffer, repositoryVersion: number, maxBytes: number): unknown {
  return parseJson(name, unpackText(name, plain, repositoryVersion, maxBytes));
}

export function parseJson(name: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new ReaderError('damaged', `${name} is damaged: not valid JSON`);
  }
}

/** An encoding version is a small number: a control character, but not JSON's white space. */
function isEncodingVersion(byte: number): boolean {
  return byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d;
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
  const json = unpackJson('config', plain, 1, MAX_FILE_BYTES.config) as { version?: unknown; id?: unknown } | null;
  const version = json?.version;
  if (typeof version !== 'number') throw new ReaderError('damaged', 'config is damaged: it names no repository version');
  if (version !== 1 && version !== 2) {
    throw new ReaderError('unsupported', `repository format version ${version} is not supported by the built-in reader (it reads versions 1 and 2)`);
  }
  return { version, id: typeof json?.id === 'string' ? json.id : '' };
}
