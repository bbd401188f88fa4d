// What `restic check` found wrong, read from its stderr: plain text lines (restic 0.14-0.17)
// or `{"message_type":"error","message":...}` lines under --json (0.18+). Pure.

/** restic's closing line when check found damage: every version prints it, plain or as exit_error. */
const FOUND_ERRORS = /repository contains errors/;

/** Lines restic prints around the errors that are not one: its advice, retries, cache notes. */
const NOT_A_FINDING = [
  /^Fatal: /,
  /^The repository (is damaged|contains damaged pack files)/,
  /^restic repair /,
  /^Damaged pack files can be caused/,
  / returned error, retrying after /,
  /^unable to create temporary directory for cache/,
  /^\[\d+:\d+\]/, // progress
];

/** A restic ID (64 hex digits) shortened to the 8 restic itself shows in most places. */
const ID = /\b([0-9a-f]{8})[0-9a-f]{56}\b/g;

/**
 * The first finding of a check that found damage, in restic's words, on one line: a line
 * that ends with ":" ("error for tree e5556ba0:") is joined with the one after it. Restic IDs
 * are shortened to 8 digits. Undefined when `stderr` holds no finding (restic failed for
 * another reason: wrong password, no repository, a network error).
 */
export function integrityFinding(stderr: string): string | undefined {
  const lines = findingLines(stderr);
  if (lines === undefined) return undefined;
  const found = lines.filter((line) => !NOT_A_FINDING.some((pattern) => pattern.test(line)));
  const first = found[0];
  if (first === undefined) return 'restic check found errors';
  const text = first.endsWith(':') && found[1] !== undefined ? `${first} ${found[1]}` : first;
  const more = found.length - (text === first ? 1 : 2);
  return `${text.replace(ID, '$1')}${more > 0 ? ` (and ${more} more line${more === 1 ? '' : 's'} of errors)` : ''}`;
}

/** restic's error lines, trimmed and non-empty; undefined when it did not report damage. */
function findingLines(stderr: string): string[] | undefined {
  if (!FOUND_ERRORS.test(stderr)) return undefined;
  const lines: string[] = [];
  for (const line of stderr.split('\n')) {
    let text = line;
    if (line.startsWith('{')) {
      try {
        const parsed = JSON.parse(line) as { message_type?: string; message?: unknown };
        if (parsed.message_type === 'exit_error') continue;
        if (typeof parsed.message === 'string') text = parsed.message;
      } catch {
        // not JSON after all: a plain line
      }
    }
    for (const part of text.split('\n')) if (part.trim() !== '') lines.push(part.trim());
  }
  return lines;
}
