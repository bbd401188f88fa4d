/**
 * Every bound the built-in reader holds a repository to, in one place (docs/reliability.md, "Limits"
 * states each). A repository is outside input: a file, a decompression or a key derivation
 * past these is refused with an error naming the file, so that one repository can never take
 * the memory, the CPU or the time the other checks need.
 */

const MiB = 2 ** 20;

/** The kinds of file the reader reads, by the directory they live in (`config` alone). */
export type FileKind = 'config' | 'keys' | 'snapshots' | 'locks';

/**
 * The most bytes one file may hold, on the storage and once decompressed (format 2 files are
 * zstd inside): the same bound for both, so a format 1 repository (no compression) and a
 * format 2 one reach the same size of JSON. Snapshot files of many MiB are real: a backup of
 * `--files-from` with 100,000 paths lists them all (6 MiB of JSON, measured with paths of 60
 * characters). Key, lock and config files restic writes are under 1 KiB.
 */
export const MAX_FILE_BYTES: Readonly<Record<FileKind, number>> = {
  config: MiB,
  keys: MiB,
  locks: MiB,
  snapshots: 64 * MiB,
};

/** "64 MiB", "1 MiB", "200.5 MiB": sizes as the messages show them. */
export function mebibytes(bytes: number): string {
  const value = bytes / MiB;
  return `${Number.isInteger(value) ? value : value.toFixed(1)} MiB`;
}

/**
 * scrypt needs 128·N·r bytes. restic calibrates its keys to use at most 60 MiB; a key file
 * asking for more than this is refused rather than allowed to take the host's memory.
 */
export const MAX_SCRYPT_BYTES = 1024 * MiB;

/**
 * scrypt's work grows with N·r·p. restic calibrates a new key to take 0.5 s on the machine
 * that makes it, at N=32768, r=8 and the p that fills the time: p=4 (N·r·p = 2^20) on the
 * 2-core machine these bounds were measured on, where Node derives it in 0.3-0.5 s. This
 * allows 32 times that: a key made by restic on a machine 32 times faster per core, which
 * derives here in 10-15 s. More is refused (naming the key file) before any work is done.
 */
export const MAX_SCRYPT_WORK = 2 ** 25;

/**
 * Key files tried with one password (restic: 20, in its backend's listing order, which on
 * a local disk is the directory's own order). The reader tries them in name order, the key
 * RESTIC_KEY_HINT names first, up to this many: every repository of up to 64 keys that
 * restic can open, the reader opens whatever order restic happened to list them in.
 */
export const MAX_KEYS = 64;

/**
 * A key derivation at most this costly runs in a one-shot command's own process (the daemon
 * never does: deferred.ts; scrypt-here.ts):
 * N·r·p at most 2^20, restic's own calibration on the machine MAX_SCRYPT_WORK was measured
 * on (N=32768, r=8, p ≤ 4: 0.1-0.3 CPU-s here, 0.4 s of wall at a load average of 6, 0.9 s
 * at 12). It cannot be stopped there, so this bounds how long it may hold the exit, a stop
 * or a libuv thread after its check ended. A costlier one runs in a process that can be
 * killed.
 */
export const IN_PROCESS_SCRYPT_WORK = 2 ** 20;

/**
 * ...and its memory, 128·N·r, at most 64 MiB and more than glibc's largest mmap threshold
 * (32 MiB): OpenSSL's one allocation of 128·r·(N+p+2) bytes is then mapped and given back
 * when freed. A smaller one (N=16384, r=8) raises glibc's threshold and lands in the malloc
 * arena of the libuv thread that ran it, which keeps it: +64 MiB of resident memory for
 * good in a long-lived process, measured. Such keys run in the derivation process, which
 * starts with a fixed threshold (scrypt-process.ts).
 */
export const IN_PROCESS_SCRYPT_BYTES = { above: 32 * MiB, atMost: 64 * MiB };

/**
 * A derivation needing more memory (128·N·r) than this runs in a process of its own, not in
 * the one the others share: restic never makes such a key (it calibrates to at most 60
 * MiB), and where memory is short (a container's limit) the kernel kills the largest
 * process, which must then hold that derivation alone rather than every repository's.
 */
export const SHARED_SCRYPT_BYTES = 64 * MiB;
