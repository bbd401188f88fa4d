import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeResticFailure, networkFailure } from '../../../src/checkers/restic/restic-errors.js';
import type { ProcessResult } from '../../../src/process/run-process.js';

const result = (code: number | null, stderrTail: string, more: Partial<ProcessResult> = {}): ProcessResult => ({
  code,
  signal: null,
  stdout: '',
  stderrTail,
  timedOut: false,
  aborted: false,
  overflow: false,
  ...more,
});

/** restic 0.14's stderr for a repository whose `config` file is 8 bytes of garbage, as captured. */
const PANIC_014 = "panic: runtime error: slice bounds out of range [16:8]\n\ngoroutine 1 [running]:\ngithub.com/restic/restic/internal/repository.(*Repository).LoadUnpacked(0xc000222b40, {0x104abd0, 0xc0003ec6c0}, {0xeb7e53, 0x6}, {0x0, 0x0, 0x0, 0x0, 0x0, ...}, ...)\n\tgithub.com/restic/restic/internal/repository/repository.go:206 +0x674\ngithub.com/restic/restic/internal/restic.LoadJSONUnpacked({0x104abd0?, 0xc0003ec6c0?}, {0x1046868?, 0xc000222b40?}, {0xeb7e53?, 0xc0003f46a0?}, {0x0, 0x0, 0x0, 0x0, ...}, ...)\n\tgithub.com/restic/restic/internal/restic/json.go:14 +0x84\ngithub.com/restic/restic/internal/restic.LoadConfig({0x104abd0, 0xc0003ec6c0}, {0x1046868, 0xc000222b40})\n\tgithub.com/restic/restic/internal/restic/config.go:84 +0x99\ngithub.com/restic/restic/internal/repository.(*Repository).SearchKey(0xc000222b40, {0x104abd0, 0xc0003ec6c0}, {0xc00003a058?, 0x0?}, 0x0?, {0x0?, 0x0?})\n\tgithub.com/restic/restic/internal/repository/repository.go:709 +0x11e\nmain.OpenRepository({{0x7ffd54ca9a82, 0xf}, {0x0, 0x0}, {0x0, 0x0}, {0x0, 0x0}, {0x0, 0x0}, ...})\n\tgithub.com/restic/restic/cmd/restic/global.go:472 +0x385\nmain.runSnapshots({{0x0, 0x0, 0x0}, {0x0, 0x0, 0x0}, {0x0, 0x0, 0x0}, 0x0, ...}, ...)\n\tgithub.com/restic/restic/cmd/restic/cmd_snapshots.go:65 +0x98\nmain.glob..func24(0x1593d80?, {0xc0000995c0?, 0x6?, 0x6?})\n\tgithub.com/restic/restic/cmd/restic/cmd_snapshots.go:29 +0xa5\ngithub.com/spf13/cobra.(*Command).execute(0x1593d80, {0xc000099560, 0x6, 0x6})\n\tgithub.com/spf13/cobra/command.go:916 +0x862\ngithub.com/spf13/cobra.(*Command).ExecuteC(0x15962e0)\n\tgithub.com/spf13/cobra/command.go:1044 +0x3bd\ngithub.com/spf13/cobra.(*Command).Execute(...)\n\tgithub.com/spf13/cobra/command.go:968\nmain.main()\n\tgithub.com/restic/restic/cmd/restic/main.go:98 +0x151\n";

const RETRIES_018 = [
  'Stat(<config/>) returned error, retrying after 809.882393ms: Stat: Get "http://127.0.0.1:1/bucket/?location=": dial tcp 127.0.0.1:1: connect: connection refused',
  'Stat(<config/>) returned error, retrying after 1.153466693s: Stat: Get "http://127.0.0.1:1/bucket/?location=": dial tcp 127.0.0.1:1: connect: connection refused',
  'signal terminated received, cleaning up',
  '{"message_type":"exit_error","code":1,"message":"Fatal: unable to open config file: context canceled\\nIs there a repository at the following location?\\ns3:http://127.0.0.1:1/bucket/repo"}',
].join('\n');

/** [what, process result, the reason a user reads] — every stderr here was captured from a real restic. */
const table: Array<[string, ProcessResult, string]> = [
  ['a Go panic: its first line, not the last stack frame', result(2, PANIC_014), 'restic crashed: panic: runtime error: slice bounds out of range [16:8]'],
  ['a panic whose first line the kept tail no longer holds', result(2, PANIC_014.slice(PANIC_014.indexOf('goroutine 1'))), 'restic crashed: Go panic (its first line was not kept)'],
  ['a Go fatal error', result(2, 'fatal error: runtime: out of memory\n\ngoroutine 1 [running]:\nruntime.throw()\n'), 'restic crashed: fatal error: runtime: out of memory'],
  [
    'restic 0.14, rclone: remote not set up: "context canceled" is restic\'s, the reason is rclone\'s',
    result(1, 'rclone: 2026/12/01 21:24:52 Failed to create file system for "x:repo": couldn\'t connect to ssh-agent: SSH agent requested but SSH_AUTH_SOCK not-specified\nFatal: unable to open repository at rclone:x:repo: error talking HTTP to rclone: context canceled\n'),
    'rclone: Failed to create file system for "x:repo": couldn\'t connect to ssh-agent: SSH agent requested but SSH_AUTH_SOCK not-specified',
  ],
  [
    'restic 0.18, rclone: an unknown remote, named as fast mode names it',
    result(1, 'rclone: 2026/12/01 21:24:33 Failed to create file system for "missing:/tmp/tr/repo": didn\'t find section in config file\n{"message_type":"exit_error","code":1,"message":"Fatal: unable to open repository at rclone:missing:/tmp/tr/repo: error talking HTTP to rclone: exit status 1"}\n'),
    'rclone remote "missing" is not configured',
  ],
  [
    'rclone: a multi-line error: the dated line, not its continuation',
    result(1, 'rclone: 2026/12/01 21:24:38 Failed to create file system for "x:bucket/repo": LoadCustomCABundleError: unable to load custom CA bundle\nrclone: caused by: unsupported transport, *fshttp.Transport\nFatal: unable to open repository at rclone:x:bucket/repo: error talking HTTP to rclone: Get "http://localhost/file-5577006791947779410": unexpected EOF\n'),
    'rclone: Failed to create file system for "x:bucket/repo": LoadCustomCABundleError: unable to load custom CA bundle',
  ],
  [
    'rclone: a notice is not a reason; restic\'s own failure is',
    result(12, 'rclone: 2026/12/01 21:24:38 NOTICE: Config file "/root/.config/rclone/rclone.conf" not found - using defaults\n{"message_type":"exit_error","code":12,"message":"Fatal: wrong password or no key found"}\n'),
    'wrong password or no key found',
  ],
  [
    'restic 0.14, S3 endpoint refusing connections: not "repository not found"',
    result(1, 'Fatal: unable to open config file: Stat: Get "http://127.0.0.1:1/bucket/?location=": dial tcp 127.0.0.1:1: connect: connection refused\nIs there a repository at the following location?\ns3:http://127.0.0.1:1/bucket/repo\n'),
    'endpoint unreachable: 127.0.0.1:1 refused the connection',
  ],
  [
    'restic 0.14, rest: server refusing connections',
    result(1, 'Fatal: unable to open config file: client.Head: Head "http://127.0.0.1:1/repo/config": dial tcp 127.0.0.1:1: connect: connection refused\nIs there a repository at the following location?\nrest:http://127.0.0.1:1/repo/\n'),
    'endpoint unreachable: 127.0.0.1:1 refused the connection',
  ],
  ['restic 0.18+, refused: retried until the timeout, which then says what it met', result(null, RETRIES_018, { timedOut: true, signal: 'SIGTERM' }), 'timed out after 3s (endpoint unreachable: 127.0.0.1:1 refused the connection)'],
  [
    'a host name that does not resolve',
    result(1, 'Fatal: unable to open config file: Stat: Get "http://nosuchhost.invalid/bucket/?location=": dial tcp: lookup nosuchhost.invalid on 10.255.255.53:53: no such host\nIs there a repository at the following location?\ns3:http://nosuchhost.invalid/bucket/repo\n'),
    'endpoint unreachable: cannot resolve nosuchhost.invalid',
  ],
  ['a timeout with nothing said', result(null, '', { timedOut: true, signal: 'SIGTERM' }), 'timed out after 3s'],
  [
    'a TLS failure is not a missing repository either',
    result(1, 'Fatal: unable to open config file: Stat: Get "https://127.0.0.1:9000/bucket/?location=": x509: certificate signed by unknown authority\nIs there a repository at the following location?\ns3:https://127.0.0.1:9000/bucket/repo\n'),
    'TLS certificate not trusted (set ca_cert)',
  ],
  [
    'a missing repository still is one (0.14 text, 0.17+ exit 10)',
    result(1, 'Fatal: unable to open config file: <config/> does not exist\nIs there a repository at the following location?\n/srv/nothing\n'),
    'repository not found',
  ],
  [
    'restic 0.18, missing repository behind rclone: restic\'s reason, no rclone line',
    result(10, '{"message_type":"exit_error","code":10,"message":"Fatal: repository does not exist: unable to open config file: \\u003cconfig/\\u003e does not exist\\nIs there a repository at the following location?\\nrclone:x:/tmp/tr/nothing"}\n'),
    'repository not found',
  ],
];

test('restic failures read as reasons a user can act on', () => {
  for (const [what, failed, reason] of table) assert.equal(describeResticFailure(failed, 3000), reason, what);
});

test('Go dial errors in the words fast mode uses', () => {
  assert.equal(networkFailure('dial tcp 10.0.0.9:9000: connect: no route to host'), 'endpoint unreachable: no route to 10.0.0.9:9000');
  assert.equal(networkFailure('dial tcp 10.0.0.9:443: i/o timeout'), 'endpoint unreachable: no answer from 10.0.0.9:443');
  assert.equal(networkFailure('read tcp 10.0.0.1:5555->10.0.0.9:443: read: connection reset by peer'), 'endpoint unreachable: 10.0.0.9:443 closed the connection');
  assert.equal(networkFailure('wrong password or no key found'), undefined);
});

test('an unknown remote behind a connection string (handed to rclone as an alias) is named as the URL names it', () => {
  const failed = result(1, 'rclone: 2026/12/07 04:00:52 Failed to create file system for "restic_monitor_remote:": didn\'t find section in config file\nFatal: unable to open repository at rclone:restic_monitor_remote:: error talking HTTP to rclone: exit status 1\n');
  assert.equal(describeResticFailure(failed, 3000, 'rclone:nas,pass=obscured:restic'), 'rclone remote "nas" is not configured');
  assert.equal(describeResticFailure(failed, 3000), 'rclone remote "restic_monitor_remote" is not configured');
});
