/**
 * An environment file: the `KEY=VALUE` lines systemd's credentials, Docker's `--env-file`
 * and shell `export` files have in common, so one secrets file serves every deployment.
 *
 * - blank lines and lines starting with `#` are ignored; `export ` before a key is allowed;
 * - `'single quotes'` keep their text literally; `"double quotes"` understand `\"`, `\\`,
 *   `\$` and `\n`; a quoted value may be followed by spaces and a `# comment`;
 * - an unquoted value is trimmed and ends before ` #` (a comment after white space);
 * - a key given twice keeps its last value, as a shell would.
 *
 * A problem is reported with its line number and never with the line's text: a line that
 * fails to parse may well be a pasted token.
 */
export class EnvFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EnvFileError';
  }
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const DOUBLE_QUOTE_ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', $: '$', n: '\n' };

/** Parses the text of an environment file; `source` names it in error messages. */
export function parseEnvFile(text: string, source: string): Record<string, string> {
  const values: Record<string, string> = {};
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((raw, index) => {
    const where = `${source}, line ${index + 1}`;
    const line = raw.trimStart();
    if (line === '' || line.startsWith('#')) return;
    const assignment = line.replace(/^export\s+/, '');
    const equals = assignment.indexOf('=');
    if (equals === -1) throw new EnvFileError(`${where}: expected KEY=VALUE`);
    const name = assignment.slice(0, equals).trim();
    if (!NAME.test(name)) {
      throw new EnvFileError(`${where}: the name before "=" must be letters, digits and _ (not starting with a digit)`);
    }
    const value = parseValue(assignment.slice(equals + 1), where);
    // An environment variable cannot hold one: Node would refuse to start restic, quoting the value.
    if (value.includes('\0')) throw new EnvFileError(`${where}: the value of ${name} holds a NUL character (\\0), which no environment variable can carry`);
    values[name] = value;
  });
  return values;
}

function parseValue(rest: string, where: string): string {
  const text = rest.trimStart();
  const quote = text[0];
  if (quote !== '"' && quote !== "'") {
    const comment = text.search(/\s#/);
    return (comment === -1 ? text : text.slice(0, comment)).trimEnd();
  }
  let value = '';
  let index = 1;
  for (; index < text.length; index++) {
    const char = text[index]!;
    if (char === quote) break;
    if (quote === '"' && char === '\\' && index + 1 < text.length) {
      const escaped = DOUBLE_QUOTE_ESCAPES[text[index + 1]!];
      if (escaped !== undefined) {
        value += escaped;
        index++;
        continue;
      }
    }
    value += char;
  }
  const kind = quote === '"' ? 'double' : 'single';
  if (index >= text.length) throw new EnvFileError(`${where}: the ${kind} quote is not closed on this line`);
  const after = text.slice(index + 1).trim();
  if (after !== '' && !after.startsWith('#')) {
    throw new EnvFileError(`${where}: unexpected text after the closing ${kind} quote`);
  }
  return value;
}
