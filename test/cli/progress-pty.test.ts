import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { CLI } from '../helpers/paths.js';
import { makeRepository, PASSWORD, resticTime, tempDir } from '../helpers/restic-repos.js';

// The progress count on a real terminal: util-linux's `script` (Debian's bsdutils, which is
// Essential) runs the CLI on a pseudo-terminal and copies what the terminal showed to its stdout.

let dir: string;
let config: string;
const env = { ...process.env, RESTIC_PASSWORD: PASSWORD, LOG_LEVEL: undefined, NO_COLOR: '1' } as NodeJS.ProcessEnv;

before(async () => {
  dir = await tempDir('rm-pty-');
  await makeRepository(join(dir, 'repo'), [{ time: resticTime(3_600_000) }]);
  config = join(dir, 'config.yaml');
  await writeFile(config, `defaults:\n  url: ${dir}/repo\nrepositories:\n  a:\n  b:\n  c:\n`);
});

const quote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

/** Runs `shellCommand` on a pseudo-terminal; resolves with what the terminal showed. */
function onTerminal(shellCommand: string): Promise<{ code: number | null; screen: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qfec', shellCommand, '/dev/null'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let screen = '';
    let errors = '';
    child.stdout.on('data', (chunk) => (screen += chunk));
    child.stderr.on('data', (chunk) => (errors += chunk));
    child.on('error', reject); // no `script` on PATH: a failure, not a skip
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`script did not finish within 60 s; screen so far: ${JSON.stringify(screen)}`));
    }, 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (errors !== '') reject(new Error(`script: ${errors}`));
      else resolve({ code, screen });
    });
  });
}

test('on a terminal, status shows the count of checks done on stderr, then clears it for the table', async () => {
  const { code, screen } = await onTerminal(`${quote(process.execPath)} ${quote(CLI)} status -c ${quote(config)}`);
  assert.equal(code, 0, screen);
  assert.match(screen, /\r\u001b\[K0\/3 checked/);
  assert.match(screen, /\r\u001b\[K3\/3 checked\r\u001b\[KREPOSITORY  MODE/, 'cleared right before the table');
});

test('stderr not a terminal: no count, whether stdout is a terminal or a pipe', async () => {
  const errFile = join(dir, 'stderr.txt');
  const { code, screen } = await onTerminal(`${quote(process.execPath)} ${quote(CLI)} status -c ${quote(config)} 2>${quote(errFile)}`);
  assert.equal(code, 0, screen);
  assert.match(screen, /^REPOSITORY {2}MODE/, 'the table alone on the terminal');
  assert.doesNotMatch(screen, /checked/);
  assert.equal(await readFile(errFile, 'utf8'), '');
  const piped = await runCli(['run', '-c', config], { env: { RESTIC_PASSWORD: PASSWORD } });
  assert.equal(piped.code, 0, piped.stderr);
  assert.equal(piped.stderr, '');
});
