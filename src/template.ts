import Handlebars from 'handlebars';

type Render = (vars: Record<string, string>) => string;

// Each distinct template is compiled once: a fleet config repeats one URL template for every
// repository, and compiling it a thousand times was most of `validate`'s time.
const compiled = new Map<string, Render>();

function compile(source: string): Render {
  let render = compiled.get(source);
  if (!render) {
    render = Handlebars.compile(goToHandlebars(source), { strict: true, noEscape: true, knownHelpersOnly: true });
    compiled.set(source, render);
  }
  return render;
}

/**
 * Go templates write fields with a leading dot (`{{ .Name }}`) and trim whitespace with
 * `{{-`/`-}}`; Handlebars reads `{{ Name }}` and `{{~`/`~}}`. The original tool's configs use
 * the Go form, so it is rewritten before Handlebars sees it; `{{ Name }}` passes through.
 */
const GO_FIELD = /\{\{(-?)(\s*)\.([A-Za-z_][A-Za-z0-9_]*)(\s*)(-?)\}\}/g;

export function goToHandlebars(source: string): string {
  return source.replace(GO_FIELD, (_m, trimLeft: string, sp1: string, field: string, sp2: string, trimRight: string) =>
    `{{${trimLeft ? '~' : ''}${sp1}${field}${sp2}${trimRight ? '~' : ''}}}`,
  );
}

// Handlebars' grammar token names, as a person would read them.
const TOKEN_NAMES: Record<string, string> = {
  EOF: 'end of text (is a "}}" missing?)',
  SEP: '"."',
  CLOSE: '"}}"',
  OPEN: '"{{"',
  INVALID: 'character',
};

export class TemplateError extends Error {}

/** Expands one templated string. Unknown variables are errors, not empty strings. */
export function expandTemplate(source: string, vars: Record<string, string>): string {
  if (!source.includes('{{')) return source;
  try {
    return compile(source)(vars);
  } catch (error) {
    throw new TemplateError(describe(error, vars));
  }
}

function describe(error: unknown, vars: Record<string, string>): string {
  const text = error instanceof Error ? error.message : String(error);
  const unknown = /"([^"]+)" not defined in/.exec(text);
  if (unknown) {
    return `unknown template variable "${unknown[1]}" (known: ${Object.keys(vars).map((k) => `.${k}`).join(', ')})`;
  }
  // Handlebars' parse errors span several lines with a caret diagram; keep the column and
  // what it found there, which is what a person needs to fix the braces.
  const caret = /\n(-*)\^/.exec(text);
  const got = /got '([^']+)'/.exec(text);
  if (caret && got) {
    const found = TOKEN_NAMES[got[1]!] ?? got[1]!.toLowerCase();
    return `invalid template syntax at column ${caret[1]!.length + 1}: unexpected ${found}`;
  }
  return `invalid template: ${text.split('\n')[0]}`;
}
