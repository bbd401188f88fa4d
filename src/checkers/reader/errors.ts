/**
 * Why the built-in reader could not answer. `kind` lets a caller decide without parsing
 * text: only `unsupported` means "the restic binary may still read this" (reader: auto
 * falls back to it); every other kind is an answer about the repository itself, which the
 * binary would give too. Messages name files and locations, never a password or a key.
 */
export type ReaderErrorKind =
  /** No key file opened with this password (restic's own words). */
  | 'wrong-password'
  /** No password given, or the password file could not be read. */
  | 'password'
  /** Something the reader does not implement: a repository version, encoding, KDF or URL kind. */
  | 'unsupported'
  /** No repository at that location (no config file). */
  | 'not-found'
  /** A file failed its MAC, its hash or its parse: damaged, never skipped. */
  | 'damaged'
  /** The storage failed to answer (network, permissions, HTTP errors). */
  | 'backend'
  /**
   * Past one of the reader's bounds (limits.ts): a file too large stored or decompressed, a
   * key file asking scrypt for too much. Never handed to the binary: restic would spend the
   * memory or the time the bound is there to keep.
   */
  | 'limit'
  /** The reader's own machinery failed: its key derivation process could not start or died. */
  | 'internal';

export class ReaderError extends Error {
  constructor(
    readonly kind: ReaderErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'ReaderError';
  }
}

/** restic's ErrNoKeyFound, word for word: users and the binary's error mapping know it. */
export const WRONG_PASSWORD = 'wrong password or no key found';

/** Whether `reader: auto` should hand the repository to the restic binary instead. */
export function fallsBackToBinary(error: unknown): boolean {
  return error instanceof ReaderError && error.kind === 'unsupported';
}
