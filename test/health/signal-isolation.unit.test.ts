// A health signal is one module: its name (its keys, and the fields it keeps its limits and
// settings under) appears in at most 3 source files outside it (the registry, and what a
// checker must do for a new kind of observation), and the module never imports, even by the
// way, the registry or anything that reads it (a module entered first would then meet the
// registry half-built). Counted over every registered signal, from the sources themselves.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, posix, relative, sep } from 'node:path';
import { test } from 'node:test';
import { SIGNALS } from '../../src/health/registry.js';
import type { SignalModule } from '../../src/health/signal.js';
import { projectRoot } from '../helpers/project-root.js';

const SRC = join(projectRoot(), 'src');
/** The most files outside its module that may name a signal (issue 22). */
const MAX_OUTSIDE = 3;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') ? [relative(SRC, path).split(sep).join('/')] : [];
  });
}
const FILES = sources(SRC);
const text = (file: string) => readFileSync(join(SRC, file), 'utf8');

/**
 * Where each registered signal lives: the file the registry imports it from, or that file's
 * folder when it is a folder of its own (not health/ itself).
 */
function homes(): Map<SignalModule, string> {
  const registry = text('health/registry.ts');
  const fileOf = new Map<string, string>();
  for (const match of registry.matchAll(/import \{([^}]*)\} from '(\.{1,2}\/[^']+)'/g)) {
    const file = posix.normalize(posix.join('health', match[2]!)).replace(/\.js$/, '.ts');
    for (const name of match[1]!.split(',').map((part) => part.trim())) if (name !== '' && !name.startsWith('type ')) fileOf.set(name, file);
  }
  const listed = /export const SIGNALS[^=]*= \[([^\]]*)\]/.exec(registry);
  assert.ok(listed, 'health/registry.ts has no SIGNALS list');
  const order = listed[1]!.split(',').map((name) => name.trim());
  assert.equal(order.length, SIGNALS.length);
  return new Map(
    SIGNALS.map((signal, index) => {
      const file = fileOf.get(order[index]!);
      assert.ok(file, `${signal.name}: the registry imports ${order[index]} from no file`);
      return [signal, dirname(file) === 'health' ? file : `${dirname(file)}/`];
    }),
  );
}

const camel = (key: string) => key.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());

/** The fields a signal keeps its limits and its settings under: those it reads to tell whether a check sets it. */
function fieldsOf(signal: SignalModule): Set<string> {
  const read = new Set<string>();
  const recording = <T extends object>(skip: string[] = []): T =>
    new Proxy({} as T, {
      get: (_target, property) => {
        if (typeof property === 'string' && !skip.includes(property)) read.add(property);
        return property === 'signals' ? recording() : undefined;
      },
    });
  signal.configured(recording());
  const check = recording<Parameters<NonNullable<SignalModule['needs']>>[0]>(['signals', 'name']);
  signal.needs?.(check);
  signal.background?.applies(check);
  return read;
}

/** Every name of a signal: its keys (snake_case), their camelCase forms (as prefixes: maxLockAgeMs) and its fields. */
function namesOf(signal: SignalModule): RegExp {
  const keys = Object.keys(signal.keys);
  const words = [...keys.map((key) => `\\b${key}\\b`), ...keys.map((key) => `\\b${camel(key)}(?:[A-Z0-9]\\w*)?\\b`), ...[...fieldsOf(signal)].map((field) => `\\b${field}\\b`)];
  return new RegExp(words.join('|'));
}

test('each signal is named in at most 3 source files outside its own module', (t) => {
  const where = homes();
  const counts: string[] = [];
  const over: string[] = [];
  for (const signal of SIGNALS) {
    const home = where.get(signal)!;
    const names = namesOf(signal);
    const outside = FILES.filter((file) => (home.endsWith('/') ? !file.startsWith(home) : file !== home) && names.test(text(file)));
    counts.push(`${signal.name}: ${outside.length} (${outside.join(', ')})`);
    if (outside.length > MAX_OUTSIDE) over.push(`${signal.name} (module ${home}) is named in ${outside.length} files outside it: ${outside.join(', ')}`);
  }
  t.diagnostic(`files outside its module that name a signal: ${counts.join('; ')}`);
  assert.deepEqual(over, []);
});

test('the count sees a signal named outside its module (the test is not blind)', () => {
  const names = namesOf(SIGNALS.find((signal) => Object.keys(signal.keys).includes('max_lock_age'))!);
  assert.ok(names.test('const limit = check.signals?.maxLockAgeMs;'));
  assert.ok(names.test('// the max_lock_age signal'));
  assert.equal(names.test('const maxLockAgeing = 1; // max_lock_ages'), false);
});

/** The relative imports of a file that bring values (an `import type` brings nothing at run time). */
function valueImports(file: string): string[] {
  const imports: string[] = [];
  for (const match of text(file).matchAll(/(?:^|\n)\s*(?:import|export)\s+(type\s+)?([^'";]*?)\s*from\s*['"](\.{1,2}\/[^'"]+)['"]/g)) {
    const braces = /^\{([^}]*)\}$/.exec(match[2]!.trim());
    const typesOnly = match[1] !== undefined || (braces !== null && braces[1]!.split(',').every((part) => part.trim() === '' || part.trim().startsWith('type ')));
    if (!typesOnly) imports.push(posix.normalize(posix.join(posix.dirname(file), match[3]!)).replace(/\.js$/, '.ts'));
  }
  return imports;
}

test('no signal module reaches the registry through its imports', () => {
  const reaches: string[] = [];
  for (const [signal, home] of homes()) {
    const seen = new Set<string>();
    const path: string[] = [];
    const visit = (file: string, via: string[]): void => {
      if (seen.has(file)) return;
      seen.add(file);
      if (file === 'health/registry.ts') path.push([...via, file].join(' -> '));
      for (const next of valueImports(file)) visit(next, [...via, file]);
    };
    for (const file of FILES.filter((one) => (home.endsWith('/') ? one.startsWith(home) : one === home))) visit(file, []);
    if (path.length > 0) reaches.push(`${signal.name}: ${path[0]}`);
  }
  assert.deepEqual(reaches, []);
});
