import { createRequire } from 'node:module';

const nodeRequire = createRequire(import.meta.url);

/**
 * A CommonJS package, loaded synchronously the first time code needs it rather than with
 * the module that uses it (pino by the first log line, Handlebars by the first template):
 * each is tens of files that most one-shot runs never use, and a log call or a config parse
 * cannot wait for `await import()`. `bundled` is `() => require('NAME')`, written at the
 * call site: esbuild bundles a literal require and runs the bundled copy when it is called
 * (the shipped bundle). In dist/ an ES module has no `require`, and a build that left the
 * package outside (the unit-test build) has one that refuses: Node's own require loads it.
 */
export function requirePackage<T>(name: string, bundled: () => unknown): T {
  try {
    return bundled() as T;
  } catch {
    return nodeRequire(name) as T;
  }
}
