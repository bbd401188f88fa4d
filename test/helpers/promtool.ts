import { spawn } from 'node:child_process';

export interface PromtoolResult {
  code: number | null;
  /** stdout and stderr together: promtool splits its verdicts between them. */
  output: string;
}

const MISSING = "promtool not found: install Debian's prometheus package (bash scripts/ensure-deps.sh promtool=prometheus)";

/** Runs the real promtool, optionally feeding `input` on stdin; bounded by `timeoutMs`. */
export function promtool(args: string[], input?: string, timeoutMs = 60_000): Promise<PromtoolResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('promtool', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`promtool ${args.join(' ')} did not finish within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    child.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(error.code === 'ENOENT' ? new Error(MISSING) : error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
    // A promtool that exits before reading its stdin must not crash the test with EPIPE.
    child.stdin.on('error', () => {});
    child.stdin.end(input ?? '');
  });
}
