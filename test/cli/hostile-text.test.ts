// Text from the outside world in the monitor's own output: a discovered folder whose name
// holds a line of its own, an error cut through an emoji, a name full of terminal escapes.
// Real restic repositories, a real directory walk, the built CLI.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { parse } from 'yaml';
import type { CheckResultJson } from '../../src/run/result-json.js';
import { runCli } from '../helpers/cli.js';
import { startPushReceiver, type PushReceiver } from '../helpers/push-receiver.js';
import { makeRepository, PASSWORD, tempDir } from '../helpers/restic-repos.js';

/** A folder name that, printed as it is, makes a line claiming db-server is fine. */
const FAKE_LINE = 'x\nUP   db-server: latest snapshot 5m ago (max 1d) [pushed to uptime-kuma]';
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

let dir: string;
let root: string;
let kuma: PushReceiver;
let emojiUrl: string;

before(async () => {
  dir = await tempDir('rm-hostile-text-');
  root = join(dir, 'backups');
  await Promise.all([makeRepository(join(dir, 'db'), [{ time: '2020-01-01 00:00:00' }]), makeRepository(join(root, FAKE_LINE), [{}])]);
  // A missing repository whose reason ("repository not found (no config file in PATH)") is
  // cut at 200 characters in the middle of an emoji: the prefix's length decides the parity.
  const fire = '\u{1F525}'.repeat(50); // 200 bytes: a file name holds at most 255
  const splits = (url: string) => /[\ud800-\udbff]$/.test(`repository not found (no config file in ${url}`.slice(0, 197));
  emojiUrl = [`${dir}/${fire}/${fire}`, `${dir}/a${fire}/${fire}`].find(splits)!;
  kuma = await startPushReceiver(['tok-emoji']);
});

after(async () => {
  await kuma?.close();
});

async function cli(args: string[], config: string) {
  const file = join(dir, `config-${Math.random().toString(36).slice(2)}.yaml`);
  await writeFile(file, config);
  return runCli([...args, '-c', file], { env: { RESTIC_PASSWORD: undefined } });
}

const CONFIG = () => `defaults:
  extra_env: {RESTIC_PASSWORD: ${PASSWORD}}
repositories:
  db-server: {url: "${join(dir, 'db')}"}
discover:
  - url: "${root}"
`;

test('a discovered folder whose name holds a newline prints no line of its own in run or status', async () => {
  const run = await cli(['run'], CONFIG());
  assert.equal(run.code, 1);
  const lines = run.stdout.trimEnd().split('\n');
  assert.equal(lines.length, 2, run.stdout);
  assert.match(lines[0]!, /^DOWN db-server: stale: latest snapshot .* \[not pushed \(no push target\)\]$/);
  assert.match(lines[1]!, /^UP   x\\nUP {3}db-server: latest snapshot 5m ago \(max 1d\) \[pushed to uptime-kuma\]: latest snapshot \S+ ago \(max 1d\) \[not pushed \(no push target\)\]$/);
  assert.ok(!lines.some((line) => line.startsWith('UP   db-server')));

  const status = await cli(['status'], CONFIG());
  const rows = status.stdout.trimEnd().split('\n');
  assert.equal(rows.length, 3, status.stdout);
  assert.ok(rows[2]!.startsWith('x\\nUP   db-server: latest snapshot 5m ago (max 1d) [pushed to uptime-kuma]  restic'), rows[2]);
  // JSON keeps the name as it is, escaped by JSON itself.
  const json = JSON.parse((await cli(['status', '--json'], CONFIG())).stdout) as CheckResultJson[];
  assert.deepEqual(json.map((row) => row.name), ['db-server', FAKE_LINE]);
});

test('unmonitored: the folder name and the message stay on one line', async () => {
  const run = await cli(['run'], CONFIG().replace(`url: "${root}"`, `{url: "${root}", check: false}`).replace('  - url:', '  -'));
  const lines = run.stdout.trimEnd().split('\n');
  assert.equal(lines.length, 2, run.stdout);
  assert.equal(lines[1], `UNMONITORED x\\nUP   db-server: latest snapshot 5m ago (max 1d) [pushed to uptime-kuma]: no check has this url (found under ${root}) [not pushed (no monitor)]`);
});

test('validate quotes a name with control characters, line separators and escapes, and the YAML still reads back to it', async () => {
  const name = 'evil\nUP   fake: fine\u001b[2K\u2028\u0085\u202eend';
  const result = await cli(['validate'], `repositories:\n  ${JSON.stringify(name)}: {url: /srv/x}\n`);
  assert.equal(result.code, 0, result.stderr);
  assert.ok(!/[\u001b\u2028\u0085\u202e]/.test(result.stdout), result.stdout);
  assert.ok(!result.stdout.split('\n').some((line) => line.startsWith('UP')), result.stdout);
  assert.match(result.stdout, /^ {2}"evil\\nUP {3}fake: fine\\e\[2K\\u2028\\x85\\u202eend":$/m);
  const shown = parse(result.stdout) as { repositories: Record<string, unknown> };
  assert.deepEqual(Object.keys(shown.repositories), [name]);
});

test('a reason cut to 200 characters through an emoji: status --json and the pushed message hold whole characters', async () => {
  const config = `defaults:\n  extra_env: {RESTIC_PASSWORD: ${PASSWORD}}\n  push_url: ${kuma.pushUrl}\nrepositories:\n  emoji: {url: "${emojiUrl}", push_token: tok-emoji}\n`;
  const status = await cli(['status', '--json'], config);
  const [row] = JSON.parse(status.stdout) as CheckResultJson[];
  assert.match(row!.error!, /^repository not found \(no config file in .*(\u{1F525})+\.\.\.$/u);
  assert.equal(row!.error!.length, 199, 'cut before the emoji that did not fit (200 would split it)');
  assert.ok(!LONE_SURROGATE.test(row!.error!) && !LONE_SURROGATE.test(row!.message), row!.message);
  assert.ok(!status.stdout.includes('\\ud83d'), 'no escaped half emoji in the JSON');

  const run = await cli(['run'], config);
  assert.equal(run.code, 1);
  const [beat] = kuma.beats;
  assert.equal(beat?.msg, `check failed: ${row!.error}`);
  assert.ok(!beat!.msg.includes('\ufffd'), 'Kuma would store U+FFFD for half an emoji');
});
