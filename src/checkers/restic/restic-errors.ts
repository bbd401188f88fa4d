import { timeoutReason } from '../deadline.js';
import type { ProcessResult } from '../../process/run-process.js';
import { rcloneErrorLine } from '../rclone/rclone-errors.js';
import { parseRcloneSpec, rcloneRemote } from '../../urls/rclone.js';

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

// Looked for in order: the first that matches names the failure. A network failure comes
// before "unable to open config file", which restic prints around it: a refused endpoint is
// not a missing repository.
const BY_TEXT: Array<[RegExp, string]> = [
  [/wrong password or no key found/i, 'wrong password or no key found'],
  [/an empty password is not (a password|allowed)|reading repository password from stdin|no password given/i, 'no repository password given (set RESTIC_PASSWORD or RESTIC_PASSWORD_FILE in extra_env)'],
  [/specified bucket does not exist|NoSuchBucket/i, 'bucket not found'],
  [/x509:|certificate/i, 'TLS certificate not trusted (set ca_cert)'],
  [/unable to open config file|Is there a repository at the following location|repository does not exist/i, 'repository not found'],
  [/unable to create lock|repository is already locked/i, 'repository is locked'],
  [/parsing repository location failed|invalid backend|unable to parse/i, 'invalid repository URL'],
  [/Access Denied|AccessDenied|403 Forbidden/i, 'access denied'],
  [/InvalidAccessKeyId|SignatureDoesNotMatch/i, 'invalid access key'],
];

/** `url`: the repository's, to name an rclone remote that rclone could not find as the user wrote it. */
export function describeResticFailure(result: ProcessResult, timeoutMs: number, url?: string): string {
  const stderr = result.stderrTail;
  if (result.timedOut) {
    // restic 0.17+ retries a backend it cannot reach until it is killed: say what it met.
    const retried = lastRetryError(stderr);
    const cause = retried && networkFailure(retried);
    return `${timeoutReason(timeoutMs)}${cause ? ` (${cause})` : ''}`;
  }
  if (result.aborted) return 'aborted';
  if (result.overflow) return 'restic printed more output than the monitor accepts';
  const crash = crashLine(stderr);
  if (crash) return `restic crashed: ${crash}`;
  const text = exitErrorMessage(stderr) ?? stderr;
  // restic's own line for an rclone: backend says only that talking to rclone failed
  // ("context canceled", "exit status 1"); rclone printed the reason on an earlier line.
  if (/talking HTTP to rclone|rclone stdio connection/.test(text)) {
    const remote = url === undefined ? undefined : rcloneRemote(url);
    const rclone = rcloneErrorLine(rcloneLines(stderr), remote === undefined ? undefined : parseRcloneSpec(remote)?.name);
    if (rclone) return rclone;
  }
  const network = networkFailure(text);
  if (network) return network;
  for (const [pattern, reason] of BY_TEXT) if (pattern.test(text)) return reason;
  if (result.code !== null && BY_EXIT_CODE[result.code]) return BY_EXIT_CODE[result.code]!;
  const last = lastMeaningfulLine(text);
  const status = result.code !== null ? `restic exited with code ${result.code}` : `restic was killed by ${result.signal}`;
  return last ? `${status}: ${last}` : status;
}

/**
 * Go's dial errors, as restic prints them, in the words fast mode uses for the same failure
 * (s3/errors.ts), so that both modes say the same about one endpoint.
 */
export function networkFailure(text: string): string | undefined {
  let match = /dial tcp (\S+?): connect: connection refused/.exec(text);
  if (match) return `endpoint unreachable: ${match[1]} refused the connection`;
  match = /dial tcp: lookup (\S+?)(?: on \S+)?: (?:no such host|server misbehaving)/.exec(text);
  if (match) return `endpoint unreachable: cannot resolve ${match[1]}`;
  match = /dial tcp (\S+?): connect: (?:no route to host|network is unreachable)/.exec(text);
  if (match) return `endpoint unreachable: no route to ${match[1]}`;
  match = /dial tcp (\S+?): (?:i\/o timeout|connect: connection timed out)/.exec(text);
  if (match) return `endpoint unreachable: no answer from ${match[1]}`;
  match = /(?:read|write) tcp \S+->(\S+?): \S+: connection reset by peer/.exec(text);
  if (match) return `endpoint unreachable: ${match[1]} closed the connection`;
  if (/connection refused|no such host|network is unreachable|no route to host|i\/o timeout/i.test(text)) return 'endpoint unreachable';
  return undefined;
}

/** A Go runtime panic or fatal error: its first line is the reason, the rest a stack. */
function crashLine(stderr: string): string | undefined {
  const line = stderr.split('\n').find((l) => /^(panic|fatal error): /.test(l));
  if (line) return line.trim();
  // The tail kept no longer reaches the panic line, but a stack is unmistakable.
  if (/^goroutine \d+ \[[^\]]+\]:$/m.test(stderr)) return 'Go panic (its first line was not kept)';
  return undefined;
}

/** restic prefixes what rclone printed with "rclone: ". */
function rcloneLines(stderr: string): string[] {
  return stderr
    .split('\n')
    .filter((line) => line.startsWith('rclone: '))
    .map((line) => line.slice('rclone: '.length));
}

/** restic 0.17+: `Load(...) returned error, retrying after 1.5s: <error>`, the last one. */
function lastRetryError(stderr: string): string | undefined {
  const lines = stderr.split('\n').filter((line) => / returned error, retrying after /.test(line));
  return lines.pop();
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
