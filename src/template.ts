import type HandlebarsModule from 'handlebars';
import { requirePackage } from './lazy-require.js';

/**
 * Templates in config values know variables and nothing else: `{{ .Name }}` (Go syntax, as
 * the original tool's configs write it) or `{{ Name }}` (Handlebars), and `.Host` in a check
 * of `hosts:`. Handlebars parses them; its syntax tree is then held to that one form, so no
 * helper runs (`{{ log Name }}` would print to stdout and corrupt `status --json`), no
 * property of a prototype is reached (`{{ constructor }}`), and a Go action (`{{ if .Name }}`,
 * `{{ range }}`, `{{ .Name | printf }}`) is refused with the forms that work instead.
 */
export class TemplateError extends Error {}

type Handlebars = typeof HandlebarsModule;

// A private Handlebars without any helper: even a template that slipped past the syntax check
// could call nothing. knownHelpersOnly with every built-in marked unknown makes a helper call a
// compile error; strict makes a missing variable an error instead of an empty string.
const NO_HELPERS = { helperMissing: false, blockHelperMissing: false, each: false, if: false, unless: false, with: false, log: false, lookup: false };
const COMPILE_OPTIONS = { strict: true, noEscape: true, knownHelpersOnly: true, knownHelpers: NO_HELPERS };
const RUNTIME_OPTIONS: HandlebarsModule.RuntimeOptions = { helpers: {}, partials: {}, decorators: {}, allowProtoPropertiesByDefault: false, allowProtoMethodsByDefault: false };

let engine: Handlebars | undefined;

/**
 * Handlebars, loaded by the first template, which a config without one never needs. Its
 * published single-file build (the same compiler and runtime, for browsers and bundlers):
 * one file instead of the 44 its package entry loads, source-map among them (used only to
 * precompile templates to files, which nothing here does); ~10 ms of a cold start.
 */
const HANDLEBARS = 'handlebars/dist/handlebars.js';

function handlebars(): Handlebars {
  if (engine) return engine;
  engine = requirePackage<Handlebars>(HANDLEBARS, () => require('handlebars/dist/handlebars.js')).create();
  for (const name of Object.keys(engine.helpers)) engine.unregisterHelper(name);
  return engine;
}

const VARIABLE = /^[A-Za-z_][A-Za-z0-9_]*$/;

type Compiled =
  | { render: HandlebarsModule.TemplateDelegate; names: string[] }
  | { unsupported: string }
  | { syntax: string };

// Each distinct template is compiled once: a fleet config repeats one URL template for every
// repository, and compiling it a thousand times was most of `validate`'s time.
const compiled = new Map<string, Compiled>();

/**
 * Go templates write fields with a leading dot (`{{ .Name }}`) and trim whitespace with
 * `{{-`/`-}}`; Handlebars reads `{{ Name }}` and `{{~`/`~}}`. The Go form is rewritten before
 * Handlebars sees it, character for character (the dot becomes a space), so that positions
 * in Handlebars' answers are positions in the text the user wrote.
 */
const GO_FIELD = /\{\{(-?)(\s*)\.([A-Za-z_][A-Za-z0-9_]*)(\s*)(-?)\}\}/g;

export function goToHandlebars(source: string): string {
  return source.replace(GO_FIELD, (_m, trimLeft: string, sp1: string, field: string, sp2: string, trimRight: string) =>
    `{{${trimLeft ? '~' : ''}${sp1} ${field}${sp2}${trimRight ? '~' : ''}}}`,
  );
}

/** Expands one templated string. Unknown variables and any other form are errors, never empty strings. */
export function expandTemplate(source: string, vars: Record<string, string>): string {
  if (!source.includes('{{')) return source;
  let template = compiled.get(source);
  if (!template) {
    template = compile(source);
    compiled.set(source, template);
  }
  if ('syntax' in template) throw new TemplateError(template.syntax);
  if ('unsupported' in template) {
    throw new TemplateError(`unsupported template "${template.unsupported}": only ${supportedForms(vars)} supported, not conditions, loops, pipelines or functions`);
  }
  const unknown = template.names.find((name) => !Object.hasOwn(vars, name));
  if (unknown !== undefined) {
    const known = Object.keys(vars).map((key) => `.${key}`).join(', ') || 'none here';
    throw new TemplateError(`unknown template variable "${unknown}" (known: ${known})`);
  }
  // Only own keys are looked up; a prototype-free copy leaves nothing else to find.
  return template.render(Object.assign(Object.create(null) as Record<string, string>, vars), RUNTIME_OPTIONS);
}

function compile(source: string): Compiled {
  const text = goToHandlebars(source);
  let program: hbs.AST.Program;
  try {
    program = handlebars().parse(text);
  } catch (error) {
    return describeParseError(source, error);
  }
  const names: string[] = [];
  for (const statement of program.body) {
    if (statement.type === 'ContentStatement' || statement.type === 'CommentStatement') continue;
    const name = statement.type === 'MustacheStatement' ? variableOf(statement as hbs.AST.MustacheStatement) : undefined;
    if (name === undefined) return { unsupported: sliceAt(source, statement.loc) };
    names.push(name);
  }
  return { render: handlebars().compile(program, COMPILE_OPTIONS), names };
}

/** The variable a mustache names, when it is nothing but one plain name. */
function variableOf(statement: hbs.AST.MustacheStatement): string | undefined {
  const path = statement.path;
  if (path.type !== 'PathExpression' || statement.params.length > 0 || statement.hash) return undefined;
  const { data, depth, parts, original } = path as hbs.AST.PathExpression;
  if (data || depth !== 0 || parts.length !== 1 || original !== parts[0] || !VARIABLE.test(parts[0]!)) return undefined;
  return parts[0];
}

function supportedForms(vars: Record<string, string>): string {
  const names = Object.keys(vars);
  if (names.length === 0) return 'plain text is';
  const dotted = names.map((name) => `{{ .${name} }}`).join(', ');
  const plain = names.map((name) => `{{ ${name} }}`).join(', ');
  return `variables are (${dotted} or ${plain})`;
}

// Handlebars' grammar token names, as a person would read them.
const TOKEN_NAMES: Record<string, string> = {
  EOF: 'end of text (is a "}}" missing?)',
  SEP: '"."',
  CLOSE: '"}}"',
  OPEN: '"{{"',
  INVALID: 'character',
};

/**
 * A parse error inside a complete `{{ ... }}` is a form Handlebars does not read (a Go
 * pipeline, `{{ else }}`, `{{/* comment *\/}}`): reported as unsupported, quoting it. Anything
 * else is broken braces, reported with the column where the parser stopped.
 */
function describeParseError(source: string, error: unknown): Compiled {
  const text = error instanceof Error ? error.message : String(error);
  // Handlebars' message shows only the last 20 characters before the error; its lexer knows
  // where the offending token starts.
  const at = (handlebars() as unknown as { Parser?: { lexer?: { yylloc?: { first_line: number; first_column: number } } } }).Parser?.lexer?.yylloc;
  const offset = at ? offsetOf(source, at.first_line, at.first_column) : undefined;
  const span = offset === undefined ? undefined : spanAround(source, offset);
  if (span !== undefined) return { unsupported: span };
  const got = /got '([^']+)'/.exec(text);
  if (at && got) {
    const found = TOKEN_NAMES[got[1]!] ?? got[1]!.toLowerCase();
    const where = at.first_line === 1 ? `column ${at.first_column + 1}` : `line ${at.first_line}, column ${at.first_column + 1}`;
    return { syntax: `invalid template syntax at ${where}: unexpected ${found}` };
  }
  return { syntax: `invalid template: ${text.split('\n')[0]}` };
}

/** The complete `{{ ... }}` around `offset`, if there is one. */
function spanAround(source: string, offset: number): string | undefined {
  const start = source.lastIndexOf('{{', offset);
  if (start === -1) return undefined;
  const end = source.indexOf('}}', Math.max(start + 2, offset));
  if (end === -1) return undefined;
  return source.slice(start, end + 2);
}

function offsetOf(source: string, line: number, column: number): number | undefined {
  let offset = 0;
  for (let current = 1; current < line; current++) {
    const newline = source.indexOf('\n', offset);
    if (newline === -1) return undefined;
    offset = newline + 1;
  }
  return offset + column;
}

function sliceAt(source: string, loc: hbs.AST.SourceLocation): string {
  const start = offsetOf(source, loc.start.line, loc.start.column) ?? 0;
  const end = offsetOf(source, loc.end.line, loc.end.column) ?? source.length;
  return source.slice(start, end);
}
