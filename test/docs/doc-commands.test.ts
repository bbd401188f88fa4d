import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runProcess, type CliResult } from '../helpers/cli.js';
import { startKumaStandIn, type KumaStandIn } from '../helpers/kuma-standin.js';
import { projectRoot } from '../helpers/project-root.js';
import { restic } from '../helpers/restic-repos.js';
import { markdownFiles, readBlocks, type Block } from './markdown.js';

// Every shell block marked <!-- doc-test --> runs here, as pasted, in order, one bash per
// page (so a `cd` or a file one block makes holds for the next), with `set -euo pipefail`.
// Only what cannot exist on a test machine is stood in for, each below with its reason, by
// rewriting the text of the commands:
const ROOT = projectRoot();
const KUMA_PASSWORD = 'the-kuma-password'; // what the README's quick start writes into env
const REPOSITORY_PASSWORD = 'the-repository-password'; // what it writes into restic-password

let scratch: string;
let kuma: KumaStandIn;

function standIns(): Array<[from: string, to: string, why: string]> {
  return [
    ['https://kuma.example.com', kuma.url, 'Uptime Kuma: the stand-in that speaks its socket.io API and push route'],
    ['/usr/local/lib/restic-monitor', `${scratch}/usr/local/lib/restic-monitor`, 'the install goes into the scratch tree, not the machine'],
    ['/usr/local/bin', `${scratch}/usr/local/bin`, 'the same; this directory comes first on PATH'],
    ['/etc/restic-monitor', `${scratch}/etc/restic-monitor`, 'the config and secrets go into the scratch tree'],
    ['/srv/restic', `${scratch}/srv/restic`, 'the repository to watch: made here by restic, with the password the quick start writes'],
  ];
}

/** The page's runnable blocks as one script; each block first says where it comes from. */
function scriptOf(blocks: readonly Block[]): string {
  const parts = blocks.map((block) => {
    let code = block.code;
    for (const [from, to] of standIns()) code = code.split(from).join(to);
    return `echo "::doc-test ${block.file}:${block.line}" >&2\n${code}`;
  });
  return `set -euo pipefail\n${parts.join('\n')}`;
}

function runScript(script: string, cwd: string): Promise<CliResult> {
  return runProcess('bash', ['-c', script], {
    cwd,
    env: { PATH: `${scratch}/usr/local/bin:${scratch}/shims:${process.env.PATH}`, LOG_LEVEL: undefined, NO_COLOR: '1', RESTIC_PASSWORD: undefined },
    timeoutMs: 120_000,
    name: 'the doc commands',
  });
}

/** Which block failed: the last one that announced itself. */
function failedBlock(stderr: string): string {
  return [...stderr.matchAll(/^::doc-test (.*)$/gm)].at(-1)?.[1] ?? '(before the first block)';
}

before(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'rm-doc-commands-'));
  kuma = await startKumaStandIn({ username: 'admin', password: KUMA_PASSWORD });
  // A checkout to run the pages in: the project's files, read only through links, so that
  // what the commands write (`cp -r deploy/kubernetes my-copy`, `env`) lands in the scratch.
  await mkdir(join(scratch, 'checkout'));
  for (const entry of await readdir(ROOT)) {
    if (['node_modules', '.git', 'dist'].includes(entry)) continue;
    await symlink(join(ROOT, entry), join(scratch, 'checkout', entry));
  }
  await mkdir(join(scratch, 'usr', 'local', 'bin'), { recursive: true });
  // apt-get: the packages are the machine's (CI installs them first); a test never changes them.
  await mkdir(join(scratch, 'shims'));
  await writeFile(
    join(scratch, 'shims', 'apt-get'),
    '#!/bin/sh\n# stand-in: "install -y PKG..." succeeds when each program is on PATH\n[ "$1" = install ] || exit 1\nshift\nfor p in "$@"; do case $p in -*) ;; *) command -v "$p" >/dev/null || { echo "apt-get stand-in: $p is not installed" >&2; exit 1; };; esac; done\n',
  );
  await chmod(join(scratch, 'shims', 'apt-get'), 0o755);
  // The repository the quick start watches, with a fresh snapshot.
  const repository = join(scratch, 'srv', 'restic', 'web-server');
  await restic(['-r', repository, 'init'], { RESTIC_PASSWORD: REPOSITORY_PASSWORD });
  await restic(['-r', repository, 'backup', join(ROOT, 'package.json')], { RESTIC_PASSWORD: REPOSITORY_PASSWORD });
});

after(async () => {
  await kuma?.close();
  await rm(scratch, { recursive: true, force: true });
});

const pages = markdownFiles(ROOT).filter((file) => readBlocks(ROOT, file).some((block) => block.mark.kind === 'run'));

test('the README and the guides have commands to run', () => {
  assert.ok(pages.includes('README.md') && pages.includes('docs/kubernetes.md'), pages.join(', '));
});

for (const page of pages) {
  test(`${page}: every command marked doc-test works as pasted`, async () => {
    const blocks = readBlocks(ROOT, page).filter((block) => block.mark.kind === 'run');
    const result = await runScript(scriptOf(blocks), join(scratch, 'checkout'));
    assert.equal(result.code, 0, `${failedBlock(result.stderr)} failed (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
    if (page === 'README.md') {
      // The quick start ends with a green monitor: one `up` beat on the monitor sync made.
      assert.match(result.stdout, /^created +web-server /m);
      assert.match(result.stdout, /^UP +web-server: latest snapshot .* \[pushed to uptime-kuma\]$/m);
      const monitors = [...kuma.monitors.values()];
      assert.deepEqual(monitors.map((monitor) => monitor.name), ['web-server']);
      assert.deepEqual(kuma.push.beats.map((beat) => [beat.token, beat.status]), [[monitors[0]!.pushToken, 'up']]);
    }
  });
}
