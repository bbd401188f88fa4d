import { chmod, cp, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './paths.js';

/**
 * The CLI for tests that run it as `nobody`: the checkout may sit where nobody cannot read
 * (under /root, say), so the self-contained bundle is copied to a world-readable place.
 */
export async function cliForNobody(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'rm-nobody-cli-'));
  await cp(join(ROOT, 'bundle'), dir, { recursive: true });
  await chmod(dir, 0o755);
  return join(dir, 'restic-monitor.mjs');
}
