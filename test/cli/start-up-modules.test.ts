// A command loads what it uses and no more (issue 23): most of a one-shot command's start-up is
// loading modules, so `status` of local repositories loads no HTTP client, S3 SDK or logger
// (no line to log), `validate` no HTTP client, and a one-shot `run` no HTTP server, status
// page or cron. The trace (test/helpers/module-trace.ts) lists every module a run loaded.
import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { ROOT } from '../helpers/paths.js';
import { startPushReceiver, type PushReceiver } from '../helpers/push-receiver.js';
import { makeRepository, tempDir } from '../helpers/restic-repos.js';

const TRACE = `--import=${join(ROOT, 'dist', 'test', 'helpers', 'module-trace.js')}`;

let dir: string;
let receiver: PushReceiver;
let config: string;

before(async () => {
  dir = await tempDir('rm-startup-');
  receiver = await startPushReceiver(['tok-local']);
  const repository = await makeRepository(join(dir, 'local'), [{ host: 'web1' }]);
  config = join(dir, 'config.yaml');
  await writeFile(
    config,
    ['defaults:', '  mode: fast', '  max_age: 1d', `  push_url: ${receiver.pushUrl}`, 'repositories:', '  local:', `    url: ${repository}`, '    push_token: tok-local', ''].join('\n'),
  );
});

after(async () => {
  await receiver.close();
  await rm(dir, { recursive: true, force: true });
});

/** What a run loaded: package names ("undici", "@aws-sdk/client-s3") and our files ("src/http/server.js"). */
function loaded(stderr: string): Set<string> {
  const names = new Set<string>();
  for (const [, where] of stderr.matchAll(/^module-trace: (?:esm|cjs) (.+)$/gm)) {
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(where!);
    const own = /\/dist\/(src\/.+)$/.exec(where!);
    if (pkg) names.add(pkg[1]!);
    else if (own) names.add(own[1]!);
  }
  return names;
}

async function traced(args: string[]): Promise<Set<string>> {
  const result = await runCli(args, { env: { NODE_OPTIONS: TRACE } });
  assert.equal(result.code, 0, result.stdout + result.stderr);
  const names = loaded(result.stderr);
  // The trace works: the config parser is loaded by every command that reads a config.
  assert.ok(names.has('yaml') && names.has('src/config/parse.js'), [...names].join(' '));
  return names;
}

/** The members of `names` that start with one of `prefixes`. */
const among = (names: Set<string>, prefixes: readonly string[]) => [...names].filter((name) => prefixes.some((prefix) => name.startsWith(prefix)));

const HTTP_CLIENT = ['undici'];
const S3 = ['@aws-sdk', '@smithy', 'src/checkers/s3/'];
const READERS = ['src/checkers/reader/', 'src/checkers/restic/restic.js', 'fzstd', '@noble/ciphers'];
// (src/http/listen.js parses the config's listen: key: it is config, not the server.)
const DAEMON = ['src/daemon/daemon.js', 'src/daemon/scheduler.js', 'src/http/server.js', 'src/http/status-page.js', 'src/http/connections.js', 'src/metrics/', 'croner'];
const KUMA_SYNC = ['socket.io-client', 'engine.io-client', 'src/kuma/socket-session.js', 'src/kuma/sync.js'];

test('status of a local repository in fast mode loads no HTTP client, S3 SDK, restic reader, logger, daemon or kuma sync', async () => {
  const names = await traced(['status', '-c', config]);
  assert.ok(names.has('src/checkers/local/local.js'), 'the local checker is loaded');
  // No line is logged at status's level (warn), no template in the config, a plain ASCII table.
  assert.deepEqual(among(names, [...HTTP_CLIENT, ...S3, ...READERS, ...DAEMON, ...KUMA_SYNC, 'pino', 'handlebars', 'string-width']), []);
});

test('validate loads no HTTP client, no checker and no logger', async () => {
  const names = await traced(['validate', '-c', config]);
  assert.deepEqual(among(names, [...HTTP_CLIENT, ...S3, ...READERS, 'src/checkers/local/', ...DAEMON, ...KUMA_SYNC, 'pino']), []);
});

test("a one-shot run pushes with Node's own HTTP client and loads no undici, HTTP server, status page, cron or S3 SDK", async () => {
  const names = await traced(['run', '-c', config]);
  assert.ok(names.has('src/push/http.js'), 'the push went through src/push/http.js');
  assert.equal(receiver.beats.at(-1)?.status, 'up');
  assert.deepEqual(among(names, [...HTTP_CLIENT, ...S3, ...READERS, ...DAEMON, ...KUMA_SYNC]), []);
});
