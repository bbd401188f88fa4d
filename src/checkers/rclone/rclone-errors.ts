/**
 * rclone logs `2026/11/22 02:16:41 ERROR : path: message`, and a fatal error without a level
 * (`2026/11/22 02:16:41 Failed to create file system for "x:y": ...`). Continuation lines
 * ("caused by: ...") carry no date.
 */
const LOG_LINE = /^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d\s+(?:([A-Z]+)\s*:\s*)?(.*)$/;

/** Levels that say something failed; NOTICE, INFO and DEBUG lines never name a failure. */
const FAILURE_LEVELS = new Set([undefined, 'ERROR', 'CRITICAL', 'FATAL']);

import { VIA_ENV_REMOTE } from '../../urls/rclone.js';

/**
 * Pure: the reason rclone gave, from its log lines, in the words both modes use: an unknown
 * remote is named as such (fast mode says the same), anything else is rclone's own last error
 * line. Undefined when rclone logged no failure. `remoteName`: the remote of the repository's URL.
 */
export function rcloneErrorLine(lines: readonly string[], remoteName?: string): string | undefined {
  const failures: string[] = [];
  for (const line of lines) {
    const match = LOG_LINE.exec(line.trim());
    if (match && FAILURE_LEVELS.has(match[1]) && match[2]!.trim() !== '') failures.push(match[2]!.trim());
  }
  const notConfigured = failures.find((message) => /didn't find section in config file/i.test(message));
  if (notConfigured) {
    const name = /for "([^":]*):/.exec(notConfigured)?.[1];
    // A connection string reaches rclone as an alias (urls/rclone.ts viaEnvironment): the
    // remote it could not find is the one the user named in it.
    if (name !== undefined) return notConfiguredReason(name === VIA_ENV_REMOTE && remoteName !== undefined ? remoteName : name);
  }
  const last = failures.pop();
  // Not shortened here: a cut could split a secret, which the redactor would then miss.
  return last === undefined ? undefined : `rclone: ${last}`;
}

export function notConfiguredReason(remote: string): string {
  return `rclone remote "${remote}" is not configured`;
}
