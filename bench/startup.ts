import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startKumaStandIn } from '../test/helpers/kuma-standin.js';
import { CLI, ROOT } from '../test/helpers/paths.js';
import { BUNDLE, row, type CaseContext, type Row } from './cases.js';
import { interleave, measure, pairedRatio, type Command, type Series } from './measure.js';

const SDK_TRACE = `--import=${join(ROOT, 'dist', 'test', 'helpers', 'import-trace.js')}`;
const MODULE_TRACE = `--import=${join(ROOT, 'dist', 'test', 'helpers', 'module-trace.js')}`;
const KUMA = { username: 'admin', password: 'kuma-admin-Passw0rd' };

export interface StartupResult {
  rows: Row[];
  /** How many @aws-sdk modules a command resolves. */
  sdkModules: Record<string, number>;
  /** Modules each command loads from disk (dist/), ES and CommonJS. */
  modules: Record<string, { esm: number; cjs: number }>;
}

/**
 * Case 4: each command's start-up against a bare Node start, from dist/ and from the bundle,
 * side by side: `status` and `run` (one push) of one local repository in fast mode,
 * `validate`, the daemon until it is ready (its "daemon started" line), `kuma sync
 * --dry-run` against the Kuma stand-in; and what loads the S3 SDK.
 */
export async function startupCase(ctx: CaseContext): Promise<StartupResult> {
  ctx.log('case 4: cold start');
  const kuma = await startKumaStandIn({ version: '2.5.3', ...KUMA });
  try {
    const configs = await startupConfigs(ctx, kuma.url);
    const stub = { RESTIC_MONITOR_RESTIC: ctx.fx.resticStub, RESTIC_PASSWORD: 'unused' };
    const bare: Command = { label: 'node -e 0', argv: [process.execPath, '-e', '0'] };
    const both = (label: string, args: string[], extra: Partial<Command> = {}): Command[] => [
      { label, argv: [process.execPath, CLI, ...args], ...extra },
      { label: `bundle: ${label}`, argv: [process.execPath, BUNDLE, ...args], ...extra },
    ];
    const [statusLocal, statusLocalBundle] = both('status, one local repository (fast mode)', ['status', '-c', configs.local]);
    const commands: Command[] = [
      bare,
      statusLocal!,
      statusLocalBundle!,
      ...both('run, one local repository (fast mode), one push', ['run', '-c', configs.run]),
      ...both('validate, one repository', ['validate', '-c', configs.local]),
      ...both('daemon, start until ready (one local repository)', ['daemon', '-c', configs.daemon], { ready: /"msg":"daemon started/ }),
      ...both('kuma sync --dry-run (Kuma stand-in, one repository)', ['kuma', 'sync', '--dry-run', '-c', configs.kuma]),
      ...both('status, one fast-mode S3 repository', ['status', '-c', ctx.configs.one]),
      ...both(`validate, ${ctx.fx.fleet.length}-repository config`, ['validate', '-c', ctx.configs.fleet]),
      // The stub restic answers [] at once, so the check is "no snapshots" (exit 1): start-up is what remains.
      ...both('status, restic-only config (stub restic)', ['status', '-c', ctx.configs.resticOnly], { env: stub, okCodes: [0, 1] }),
      { label: 'node: import @aws-sdk/client-s3 only', argv: [process.execPath, '--input-type=module', '-e', "await import('@aws-sdk/client-s3')"], cwd: ROOT },
    ];
    // This machine's environment names a CA bundle for Node to load at every start (144
    // certificates: ~40% of a bare start here). A user's usually does not: the headline pair
    // again without it, each against a bare start without it.
    const extraCa = process.env.NODE_EXTRA_CA_CERTS !== undefined;
    const noCa = { NODE_EXTRA_CA_CERTS: '' };
    const plain = [
      { ...bare, label: 'node -e 0, without NODE_EXTRA_CA_CERTS', env: noCa },
      { ...statusLocal!, label: `${statusLocal!.label}, without NODE_EXTRA_CA_CERTS`, env: noCa },
      { ...statusLocalBundle!, label: `${statusLocalBundle!.label}, without NODE_EXTRA_CA_CERTS`, env: noCa },
    ];
    const series = await interleave([...commands, ...(extraCa ? plain : [])], ctx.rounds * 2);
    const rows = [row('4. cold start', series[0]!)];
    const ratioRow = (other: Series, base: Series, against: string) => {
      const ratio = pairedRatio(other, base);
      const goal = other.label === statusLocal!.label ? 2.5 : other.label === statusLocalBundle!.label ? 2 : undefined;
      return row('4. cold start', other, { ratio: { against, value: ratio }, ...(goal !== undefined && { goal: `≤ ${goal}x node -e 0`, met: ratio.median <= goal }) });
    };
    for (const other of series.slice(1, commands.length)) rows.push(ratioRow(other, series[0]!, 'node -e 0'));
    if (extraCa) {
      const [plainBare, ...plainOthers] = series.slice(commands.length);
      rows.push(row('4. cold start', plainBare!));
      for (const other of plainOthers) rows.push(row('4. cold start', other, { ratio: { against: 'node -e 0 without it', value: pairedRatio(other, plainBare!) } }));
    }

    const sdkModules: Record<string, number> = {};
    const modules: Record<string, { esm: number; cjs: number }> = {};
    for (const command of commands.slice(1)) {
      if (command.argv[1] !== CLI || command.ready) continue;
      if (command.label.startsWith('status')) sdkModules[command.label] = countLines(await traced(command, SDK_TRACE), /^import-trace: /);
      const trace = await traced(command, MODULE_TRACE);
      modules[command.label] = { esm: countLines(trace, /^module-trace: esm file:/), cjs: countLines(trace, /^module-trace: cjs \//) };
    }
    return { rows, sdkModules, modules };
  } finally {
    await kuma.close();
  }
}

async function startupConfigs(ctx: CaseContext, kumaUrl: string) {
  const { fx } = ctx;
  const repository = fx.local[0]!;
  const files = { local: join(fx.dir, 'startup-local.yaml'), run: join(fx.dir, 'startup-run.yaml'), daemon: join(fx.dir, 'startup-daemon.yaml'), kuma: join(fx.dir, 'startup-kuma.yaml') };
  const fast = 'defaults:\n  mode: fast\n  max_age: 1d\n';
  await writeFile(files.local, `${fast}repositories:\n  local:\n    url: ${repository}\n`);
  await writeFile(files.run, `${fast}  push_url: ${fx.receiver.pushUrl}\nrepositories:\n  local:\n    url: ${repository}\n    push_token: tok0\n`);
  await writeFile(files.daemon, `listen: 127.0.0.1:0\n${fast}  interval: 1h\nrepositories:\n  local:\n    url: ${repository}\n`);
  await writeFile(
    files.kuma,
    `kuma:\n  url: ${kumaUrl}\n  username: ${KUMA.username}\n  password: ${KUMA.password}\n  token_secret: token-secret-0123456789abcdef0123\n${fast}repositories:\n  local:\n    url: ${repository}\n`,
  );
  return files;
}

async function traced(command: Command, flag: string): Promise<string> {
  // GNU time's stderr line is parsed by measure(); the trace goes to the child's stderr too, through stdout here.
  const sample = await measure({ ...command, env: { ...command.env, NODE_OPTIONS: flag }, argv: ['bash', '-c', '"$@" 2>&1 >/dev/null', '_', ...command.argv] });
  return sample.stdout;
}

function countLines(text: string, pattern: RegExp): number {
  return text.split('\n').filter((line) => pattern.test(line)).length;
}
