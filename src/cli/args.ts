import { parseArgs } from 'node:util';
import { chooseLogLevel } from '../log-level.js';

export const COMMANDS = ['run', 'status', 'validate', 'daemon', 'test-push', 'kuma'] as const;
/** `kuma sync` is the one two-word command. */
export type Command = Exclude<(typeof COMMANDS)[number], 'kuma'> | 'kuma-sync' | 'help' | 'version';

export interface CommandLine {
  command: Command;
  config?: string;
  envFile?: string;
  only: string[];
  json: boolean;
  /** run: also write Prometheus metrics to this file (node_exporter textfile collector). */
  textfile?: string;
  /** run: check, push nothing, show what would be pushed where. */
  dryRun: boolean;
  /** --log-level as given (checked here; it wins over LOG_LEVEL). */
  logLevel?: string;
  /** test-push: the check (or repository with hosts) to send a test beat for. */
  target?: string;
  /** kuma sync --prune: pause (or, with --prune=delete, delete) the marked monitors whose check is gone. */
  prune?: 'off' | 'pause' | 'delete';
}

export class UsageError extends Error {}

export const USAGE = `Usage: restic-monitor [command] [options]

Commands:
  run        check every repository, push to its monitor, print one line each (default)
  status     check every repository, push nothing, print a table (--json: JSON)
  validate   check the config only (no network) and print it with secrets masked
  daemon     keep running: check each repository every interval, serve metrics on listen
  test-push NAME
             check nothing: send one "up" test beat to NAME's push targets, say if each got it
  kuma sync  make or update an Uptime Kuma push monitor for every check (the config's
             kuma: block); --dry-run shows the plan, --prune pauses the monitors of
             checks that are gone (--prune=delete deletes them)

Options:
  -c, --config FILE   config file (default: $RESTIC_MONITOR_CONFIG, else ./config.yaml)
  --environment-file FILE, --env-file FILE
                      KEY=VALUE secrets laid over the environment (default:
                      $RESTIC_MONITOR_ENV_FILE); a bare name is read from $CREDENTIALS_DIRECTORY
  --only NAME         only this repository, or all of its hosts/ checks (repeatable)
  --json              machine-readable output (status, validate)
  --textfile FILE     run: also write Prometheus metrics to FILE, atomically
  --dry-run           run: check, push nothing, show what would be pushed where;
                      kuma sync: show what would change, change nothing
  --log-level LEVEL   JSON logs on stderr from LEVEL up (default: $LOG_LEVEL, else warn;
                      daemon: info): fatal, error, warn, info, debug, trace, silent
  -h, --help          show this help
  -V, --version       show the version

Exit codes: 0 all up and pushed; 1 something down or a push failed; 2 config or usage error.`;

export function parseCommandLine(argv: readonly string[]): CommandLine {
  let parsed;
  // --prune takes an optional value, which parseArgs cannot express.
  const args = argv.map((arg) => (arg === '--prune=delete' ? '--prune-delete' : arg === '--prune=pause' ? '--prune' : arg));
  const badPrune = args.find((arg) => arg.startsWith('--prune='));
  if (badPrune !== undefined) throw new UsageError(`${badPrune}: --prune pauses; --prune=delete deletes`);
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: {
        config: { type: 'string', short: 'c' },
        'environment-file': { type: 'string' },
        // An alias: Node 20.18+ passes it on when the file exists, but first looks for the
        // file itself and stops with "node: FILE: not found" when it does not (measured on
        // 20.20.2), so a bare credential name needs --environment-file.
        'env-file': { type: 'string' },
        only: { type: 'string', multiple: true },
        json: { type: 'boolean' },
        textfile: { type: 'string' },
        'dry-run': { type: 'boolean' },
        prune: { type: 'boolean' },
        'prune-delete': { type: 'boolean' },
        'log-level': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'V' },
      },
    });
  } catch (error) {
    // Node's messages carry a code prefix and long hints; keep the part that names the flag.
    throw new UsageError((error as Error).message.split('. ')[0]!.replace(/^Unknown option/, 'unknown option'));
  }
  const { values, positionals } = parsed;
  const name = positionals[0] ?? 'run';
  const operands = name === 'test-push' || name === 'kuma' ? 1 : 0;
  if (positionals.length > 1 + operands) throw new UsageError(`unexpected argument "${positionals[1 + operands]}"`);
  let command: Command;
  if (values.help || name === 'help') command = 'help';
  else if (values.version) command = 'version';
  else if (name === 'kuma') {
    if (positionals[1] !== 'sync') throw new UsageError(positionals[1] === undefined ? 'kuma needs a subcommand: restic-monitor kuma sync' : `unknown kuma subcommand "${positionals[1]}" (try: kuma sync)`);
    command = 'kuma-sync';
  } else if ((COMMANDS as readonly string[]).includes(name)) command = name as Command;
  else throw new UsageError(`unknown command "${name}" (commands: ${COMMANDS.map((known) => (known === 'kuma' ? 'kuma sync' : known)).join(', ')})`);
  if (values.textfile !== undefined && command !== 'run') throw new UsageError(`--textfile works with run only, not ${command}`);
  if (values['dry-run'] && command !== 'run' && command !== 'kuma-sync') throw new UsageError(`--dry-run works with run and kuma sync, not ${command}`);
  if ((values.prune || values['prune-delete']) && command !== 'kuma-sync') throw new UsageError(`--prune works with kuma sync only, not ${command}`);
  if (values.prune && values['prune-delete']) throw new UsageError('give --prune or --prune=delete, not both');
  if ((values.prune || values['prune-delete']) && values.only !== undefined) throw new UsageError('--prune needs every check to tell which are gone: drop --only');
  if (values['dry-run'] && values.textfile !== undefined) throw new UsageError('--dry-run writes nothing: drop --textfile');
  if (command === 'test-push') {
    if (positionals[1] === undefined) throw new UsageError('test-push needs the name of a check: restic-monitor test-push NAME');
    if (values.only !== undefined) throw new UsageError('test-push takes the name of one check, not --only');
  }
  if (values['log-level'] !== undefined) {
    const choice = chooseLogLevel(values['log-level'], undefined, 'warn');
    if ('error' in choice) throw new UsageError(choice.error);
  }
  if (values.json && command !== 'status' && command !== 'validate') throw new UsageError(`--json works with status and validate, not ${command}`);
  if (values['environment-file'] !== undefined && values['env-file'] !== undefined) {
    throw new UsageError('--env-file is another name for --environment-file: give one of them');
  }
  const envFile = values['environment-file'] ?? values['env-file'];
  return {
    command,
    ...(values.config !== undefined && { config: values.config }),
    ...(envFile !== undefined && { envFile }),
    only: values.only ?? [],
    json: values.json ?? false,
    ...(values.textfile !== undefined && { textfile: values.textfile }),
    dryRun: values['dry-run'] ?? false,
    ...(values['log-level'] !== undefined && { logLevel: values['log-level'] }),
    ...(command === 'test-push' && { target: positionals[1]! }),
    ...(command === 'kuma-sync' && { prune: values['prune-delete'] ? 'delete' : values.prune ? 'pause' : 'off' }),
  };
}
