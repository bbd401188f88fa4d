/** The directories of a repository the reader lists; everything else it never touches. */
export type FileType = 'keys' | 'snapshots' | 'locks';

/**
 * Read-only access to one repository's storage: the whole contract the reader needs.
 *
 * - `list` names the files of one directory: only restic file names (isResticFileName:
 *   restic ignores others);
 *   a missing directory lists as empty.
 * - `read` returns one whole file, `config` or `<type>/<id>`; a file that does not exist
 *   rejects with ReaderError kind `not-found`, any other failure with kind `backend`,
 *   named by `location` (never with a credential in it).
 * - Both stop promptly when `signal` aborts. Neither ever writes, locks or deletes.
 */
export interface Backend {
  /** Where the repository is, for messages: credentials removed. */
  readonly location: string;
  list(type: FileType, signal: AbortSignal): Promise<string[]>;
  read(path: string, signal: AbortSignal): Promise<Buffer>;
}

/** Snapshot, key and lock files are a few KiB; a server sending more is not a restic server. */
export const MAX_FILE_BYTES = 64 * 1024 * 1024;
