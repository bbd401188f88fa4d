import { join } from 'node:path';
import { CLI, ROOT } from '../test/helpers/paths.js';
import { row, type CaseContext, type Row } from './cases.js';
import { interleave, measure, pairedRatio, type Command } from './measure.js';

const TRACE = `--import=${join(ROOT, 'dist', 'test', 'helpers', 'import-trace.js')}`;
/** The shipped single-file build (npm run bundle): what the Nix package and the container run. */
const BUNDLE = join(ROOT, 'bundle', 'restic-monitor.mjs');

/** Case 4: CLI start-up against a bare Node start, and whether the S3 SDK gets loaded. */
export async function startupCase(ctx: CaseContext): Promise<{ rows: Row[]; sdkModules: Record<string, number> }> {
  ctx.log('case 4: cold start');
  const stub = { RESTIC_MONITOR_RESTIC: ctx.fx.resticStub, RESTIC_PASSWORD: 'unused' };
  const bare: Command = { label: 'node -e 0', argv: [process.execPath, '-e', '0'] };
  const status: Command = { label: 'status, one fast-mode repository', argv: [process.execPath, CLI, 'status', '-c', ctx.configs.one] };
  const validate: Command = {
    label: `validate, ${ctx.fx.fleet.length}-repository config`,
    argv: [process.execPath, CLI, 'validate', '-c', ctx.configs.fleet],
  };
  // The stub restic answers [] at once, so the check is "no snapshots" (exit 1): start-up is what remains.
  const resticOnly: Command = {
    label: 'status, restic-only config (stub restic)',
    argv: [process.execPath, CLI, 'status', '-c', ctx.configs.resticOnly],
    env: stub,
    okCodes: [0, 1],
  };
  const bundled: Command = { label: 'bundle: status, one fast-mode repository', argv: [process.execPath, BUNDLE, 'status', '-c', ctx.configs.one] };
  const bundledResticOnly: Command = { ...resticOnly, label: 'bundle: status, restic-only config (stub restic)', argv: [process.execPath, BUNDLE, 'status', '-c', ctx.configs.resticOnly] };
  const sdkImport: Command = {
    label: 'node: import @aws-sdk/client-s3 only',
    argv: [process.execPath, '--input-type=module', '-e', "await import('@aws-sdk/client-s3')"],
    cwd: ROOT,
  };
  const series = await interleave([bare, status, bundled, validate, resticOnly, bundledResticOnly, sdkImport], ctx.rounds * 2);
  const [bareSeries, ...others] = series;
  const rows = [row('4. cold start', bareSeries!)];
  for (const other of others) {
    const ratio = pairedRatio(other, bareSeries!);
    const isStatus = other === series[1] || other === series[2];
    rows.push(
      row('4. cold start', other, {
        ratio: { against: 'node -e 0', value: ratio },
        ...(isStatus && { goal: '≤ 3x node -e 0', met: ratio.median <= 3 }),
      }),
    );
  }

  // How many @aws-sdk modules each command resolves (the import trace from the tests).
  const sdkModules: Record<string, number> = {};
  for (const command of [status, resticOnly]) {
    const traced = await measureStderr({ ...command, env: { ...command.env, NODE_OPTIONS: TRACE } });
    sdkModules[command.label] = traced;
  }
  return { rows, sdkModules };
}

async function measureStderr(command: Command): Promise<number> {
  // GNU time's stderr line is parsed by measure(); the trace goes to the child's stderr too.
  const sample = await measure({ ...command, argv: ['bash', '-c', '"$@" 2>&1 | grep -c "^import-trace:" || true', '_', ...command.argv] });
  return Number(sample.stdout.trim());
}
