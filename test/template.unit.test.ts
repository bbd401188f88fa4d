import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expandTemplate, goToHandlebars } from '../src/template.js';

test('Go-template {{ .Name }} works as written', () => {
  assert.equal(expandTemplate('s3:https://s3.example.com/restic-{{ .Name }}', { Name: 'web-server' }), 's3:https://s3.example.com/restic-web-server');
  assert.equal(expandTemplate('{{.Name}}/{{ .Name }}', { Name: 'db' }), 'db/db');
});

test('Handlebars {{ Name }} works too, and nothing is HTML-escaped', () => {
  assert.equal(expandTemplate('rest:http://h/{{ Name }}?a=1&b=2', { Name: 'a&b' }), 'rest:http://h/a&b?a=1&b=2');
});

test('Go whitespace trimming becomes Handlebars trimming', () => {
  // The dot becomes a space: positions in Handlebars' errors stay positions in the user's text.
  assert.equal(goToHandlebars('{{- .Name -}}'), '{{~  Name ~}}');
  assert.equal(expandTemplate('x {{- .Name -}} y', { Name: 'n' }), 'xny');
});

test('strings without templates pass through untouched', () => {
  assert.equal(expandTemplate('plain ${VAR} text', { Name: 'x' }), 'plain ${VAR} text');
});

test('an unknown variable is an error naming it and the known ones', () => {
  assert.throws(() => expandTemplate('restic-{{ .Host }}', { Name: 'x' }), {
    message: 'unknown template variable "Host" (known: .Name)',
  });
});

test('broken template syntax is an error with its column', () => {
  assert.throws(() => expandTemplate('restic-{{ .Name ', { Name: 'x' }), {
    message: 'invalid template syntax at column 11: unexpected "."',
  });
});

test('an unclosed template says the braces are missing', () => {
  assert.throws(() => expandTemplate('restic-{{ Name ', { Name: 'x' }), {
    message: 'invalid template syntax at column 16: unexpected end of text (is a "}}" missing?)',
  });
});

test('the column of a syntax error is right far into a long value', () => {
  assert.throws(() => expandTemplate('s3:https://s3.example.com/bucket/{{ Name ', { Name: 'x' }), {
    message: 'invalid template syntax at column 42: unexpected end of text (is a "}}" missing?)',
  });
});

test('a host check knows .Host; the message lists what is known', () => {
  assert.equal(expandTemplate('{{ .Name }}-{{ Host }}', { Name: 'fleet', Host: 'web1' }), 'fleet-web1');
  assert.throws(() => expandTemplate('{{ .Hots }}', { Name: 'fleet', Host: 'web1' }), { message: 'unknown template variable "Hots" (known: .Name, .Host)' });
});

test('{{ constructor }} and other prototype names are unknown variables, not empty strings', () => {
  for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf']) {
    assert.throws(() => expandTemplate(`x-{{ ${name} }}`, { Name: 'n' }), { message: `unknown template variable "${name}" (known: .Name)` }, name);
    assert.throws(() => expandTemplate(`x-{{ .${name} }}`, { Name: 'n' }), { message: `unknown template variable "${name}" (known: .Name)` }, name);
  }
});

const ONLY_NAME = 'only variables are ({{ .Name }} or {{ Name }}) supported, not conditions, loops, pipelines or functions';

test('helpers never run: {{ log Name }} is refused and prints nothing', () => {
  const writes: string[] = [];
  const saved = { log: console.log, info: console.info, warn: console.warn, error: console.error, write: process.stdout.write };
  const capture = (...args: unknown[]) => void writes.push(args.join(' '));
  Object.assign(console, { log: capture, info: capture, warn: capture, error: capture });
  process.stdout.write = ((chunk: string) => (writes.push(String(chunk)), true)) as typeof process.stdout.write;
  try {
    for (const source of ['{{ log Name }}', '{{ log "hello" }}', '{{ lookup . "Name" }}', '{{#each Name}}x{{/each}}', '{{#with Name}}{{this}}{{/with}}', '{{> partial }}']) {
      assert.throws(() => expandTemplate(source, { Name: 'n' }), { message: `unsupported template "${source}": ${ONLY_NAME}` }, source);
    }
  } finally {
    Object.assign(console, { log: saved.log, info: saved.info, warn: saved.warn, error: saved.error });
    process.stdout.write = saved.write;
  }
  assert.deepEqual(writes, []);
});

test('Go-only constructs are refused with the forms that work', () => {
  const table = [
    '{{ if .Name }}',
    '{{ range .Hosts }}',
    '{{ .Name | printf "%s" }}',
    '{{ printf "%s-x" .Name }}',
    '{{ else }}',
    '{{/* a comment */}}',
    '{{ $x := .Name }}',
    '{{ len .Name }}',
    '{{ .Name.Suffix }}',
    '{{ . }}',
    '{{ this }}',
    '{{ @root }}',
    '{{ Name.length }}',
    '{{ ../Name }}',
  ];
  for (const action of table) {
    assert.throws(() => expandTemplate(`restic-${action}-x`, { Name: 'n' }), { message: `unsupported template "${action}": ${ONLY_NAME}` }, action);
  }
  // The first unsupported action is quoted, with what a host check may use.
  assert.throws(() => expandTemplate('/srv/{{ .Name }}/{{ if .Host }}{{ .Host }}{{ end }}', { Name: 'fleet', Host: 'web1' }), {
    message: 'unsupported template "{{ if .Host }}": only variables are ({{ .Name }}, {{ .Host }} or {{ Name }}, {{ Host }}) supported, not conditions, loops, pipelines or functions',
  });
});

test('Handlebars comments and the unescaped form of a variable are harmless and allowed', () => {
  assert.equal(expandTemplate('{{! note }}{{{ Name }}}', { Name: 'a&b' }), 'a&b');
});
