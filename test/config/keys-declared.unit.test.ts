import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { KEYS, REPOSITORY_KEYS, TOP_LEVEL_KEYS, type KeyDeclaration } from '../../src/config/keys.js';
import { parseConfig } from '../../src/config/parse.js';
import { KUMA_KEYS } from '../../src/config/kuma.js';
import { projectRoot } from '../helpers/project-root.js';

const ROOT = projectRoot();

const declared = Object.entries(KEYS) as [string, KeyDeclaration][];
// The key tables live in the reference pages, the README only links to them.
const CONFIGURATION = 'docs/configuration.md';
const KUMA = 'docs/uptime-kuma.md';
const example = readFileSync(join(ROOT, 'config.example.yaml'), 'utf8');

/** The rows of the markdown table under `heading` in `page`, as written. */
function tableRows(page: string, heading: string): string[] {
  const text = readFileSync(join(ROOT, page), 'utf8');
  const start = text.indexOf(`\n${heading}`);
  assert.ok(start >= 0, `${page} has no "${heading}"`);
  const section = text.slice(start + 1).split('\n## ')[0]!.split('\n### ')[0]!;
  return section.split('\n').filter((line) => line.startsWith('| `'));
}

/** A declaration as its table row: key, default, doc line. */
const row = (name: string, key: KeyDeclaration) => `| \`${name}\` | ${key.shownDefault} | ${key.doc} |`;

function assertSameRows(actual: string[], expected: string[]): void {
  const missing = expected.filter((line) => !actual.includes(line));
  const extra = actual.filter((line) => !expected.includes(line));
  assert.deepEqual({ missing, extra }, { missing: [], extra: [] }, 'the documented rows differ from their declarations in src/');
  assert.equal(actual.length, new Set(actual).size, 'a row appears twice');
}

test("docs/configuration.md's repository key table is the declared repository keys, row for row (default and doc line)", () => {
  const expected = declared.filter(([, key]) => key.places.includes('repository')).map(([name, key]) => row(name, key));
  assertSameRows(tableRows(CONFIGURATION, '## Repository keys'), expected);
});

test("docs/configuration.md's top-level key table is the declared top-level keys, plus the ignored x- keys", () => {
  const expected = declared.filter(([, key]) => key.places.includes('top')).map(([name, key]) => row(name, key));
  assertSameRows(
    tableRows(CONFIGURATION, '## Top-level keys').filter((line) => !line.startsWith('| `x-...`')),
    expected,
  );
});

test("docs/uptime-kuma.md's kuma key table is the declared sub-keys of kuma:, row for row", () => {
  const expected = Object.entries(KUMA_KEYS).map(([name, key]) => `| \`${name}\` | ${key.shownDefault} | ${key.doc} |`);
  assertSameRows(tableRows(KUMA, '### Kuma keys'), expected);
});

test("every declared default in the key tables is the one parsing uses", () => {
  for (const [name, key] of declared) {
    if ('default' in key.value) assert.equal(key.shownDefault, `\`${key.value.default}\``, name);
  }
});

/** config.example.yaml with its commented-out keys (`# timeout: 10m`) switched on. */
function exampleUncommented(): string {
  return example.replace(/^(\s*)# ?(\s*[a-z_0-9-]+:(?: .*)?)$/gm, '$1$2');
}

test('config.example.yaml names exactly the declared keys, each in a place it may appear', () => {
  const root = parse(exampleUncommented()) as Record<string, unknown>;
  const top = Object.keys(root);
  const inRepositories = new Set<string>();
  const add = (map: unknown) => Object.keys((map ?? {}) as object).forEach((key) => inRepositories.add(key));
  add(root.defaults);
  for (const repository of Object.values(root.repositories as Record<string, Record<string, unknown> | null>)) {
    add(repository);
    for (const host of Object.values((repository?.hosts ?? {}) as Record<string, unknown>)) add(host);
  }
  assert.deepEqual(top.sort(), Object.keys(TOP_LEVEL_KEYS).sort());
  assert.deepEqual([...inRepositories].sort(), Object.keys(REPOSITORY_KEYS).sort());
});

test('config.example.yaml with every commented-out key switched on is a valid config', () => {
  const text = exampleUncommented();
  // Long enough for kuma.token_secret, which wants 16 characters at least.
  const env = Object.fromEntries([...text.matchAll(/\$\{([A-Z0-9_]+)\}/g)].map((match) => [match[1]!, 'value-from-the-environment']));
  const config = parseConfig(text, env);
  assert.deepEqual(
    config.checks.map((check) => check.name),
    ['web-server', 'db-server', 'fleet/web1', 'fleet/web2', 'db-offsite'],
  );
});

/**
 * The defaults config.example.yaml states in its comments ("(default 10m)", "default auto"),
 * each read from the comment lines right above the key it belongs to.
 */
function exampleStatedDefaults(): Map<string, string> {
  const stated = new Map<string, string>();
  let comments: string[] = [];
  for (const line of example.split('\n')) {
    const key = /^\s*(?:# ?)?\s*([a-z_0-9]+):(?: |$)/.exec(line)?.[1];
    if (key !== undefined && key in KEYS) {
      const said = /\bdefault:? ([^\s;,)]+)/.exec(comments.join(' '))?.[1];
      if (said !== undefined) stated.set(key, said);
      comments = [];
    } else if (/^\s*#/.test(line)) comments.push(line);
    else comments = [];
  }
  return stated;
}

test("the defaults config.example.yaml states are the declared ones (it said reader's was restic)", () => {
  const stated = exampleStatedDefaults();
  const declared = [...stated.keys()].filter((name) => 'default' in KEYS[name as keyof typeof KEYS].value);
  // Every key with a declared default whose comment names one: a reader that found none would pass anything.
  assert.deepEqual(declared.sort(), ['interval', 'max_age', 'mode', 'push_timeout', 'reader', 'timeout']);
  for (const name of declared) {
    assert.equal(stated.get(name), (KEYS[name as keyof typeof KEYS].value as { default: string }).default, `config.example.yaml: ${name}`);
  }
});
