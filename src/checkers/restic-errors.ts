import { formatDuration } from '../duration.js';
import type { ProcessResult } from '../process/run-process.js';

/**
 * restic 0.14 exits 1 for every failure with a "Fatal: ..." line on stderr; 0.17+ also
 * uses exit codes (10 no repository, 11 lock failed, 12 wrong password) and, under --json,
 * a JSON line {"message_type":"exit_error",...}. Both are read here.
 */
const BY_EXIT_CODE: Record<number, string> = {
  10: 'repository not found',
  11: 'repository is locked',
  12: 'wrong password or no key found',
};

const BY_TEXT: Array<[RegExp, string]> = [
  [/wrong password or no key found/i, 'wrong password or no key found'],
  [/an empty password is not (a password|allowed)|reading repository password from stdin|no password given/i, 'no repository password given (set RESTIC_PASSWORD or RESTIC_PASSWORD_FILE in extra_env)'],
  [/specified bucket does not exist|NoSuchBucket/i, 'bucket not found'],
  [/unable to open config file|Is there a repository at the following location|repository does not exist/i, 'repository not found'],
  [/unable to create lock|repository is already locked/i, 'repository is locked'],
  [/parsing repository location failed|invalid backend|unable to parse/i, 'invalid repository URL'],
  [/Access Denied|AccessDenied|403 Forbidden/i, 'access denied'],
  [/InvalidAccessKeyId|SignatureDoesNotMatch/i, 'invalid access key'],
  [/x509:|certificate/i, 'TLS certificate not trusted (set ca_cert)'],
  [/connection refused|no such host|network is unreachable|i\/o timeout/i, 'endpoint unreachable'],
];

export function describeResticFailure(result: ProcessResult, timeoutMs: number): string {
  if (result.timedOut) return `timed out after ${formatDuration(timeoutMs)}`;
  if (result.aborted) return 'aborted';
  if (result.overflow) return 'restic printed more output than the monitor accepts';
  const stderr = result.stderrTail;
  const jsonMessage = exitErrorMessage(stderr);
  const text = jsonMessage ?? stderr;
  for (const [pattern, reason] of BY_TEXT) if (pattern.test(text)) return reason;
  if (result.code !== null && BY_EXIT_CODE[result.code]) return BY_EXIT_CODE[result.code]!;
  const last = lastMeaningfulLine(text);
  const status = result.code !== null ? `restic exited with code ${result.code}` : `restic was killed by ${result.signal}`;
  return last ? `${status}: ${last}` : status;
}

function exitErrorMessage(stderr: string): string | undefined {
  for (const line of stderr.split('\n').reverse()) {
    if (!line.startsWith('{')) continue;
    try {
      const parsed = JSON.parse(line) as { message_type?: string; message?: string };
      if (parsed.message_type === 'exit_error' && typeof parsed.message === 'string') return parsed.message;
    } catch {
      // not JSON after all
    }
  }
  return undefined;
}

function lastMeaningfulLine(text: string): string | undefined {
  const line = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .pop();
  if (!line) return undefined;
  // Not shortened here: a cut could split a secret, which the redactor would then miss.
  return line.replace(/^Fatal:\s*/, '');
}
