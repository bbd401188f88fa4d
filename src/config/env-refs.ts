/**
 * `${VAR}` in a config string is replaced from the environment, so that secrets can live in
 * an environment file instead of the config; `$${` stands for a literal `${`.
 * Returns the expanded text and the values substituted (they are secrets to redact).
 */
export interface EnvExpansion {
  text: string;
  values: string[];
}

export class EnvRefError extends Error {}

const REF = /\$(\$?)\{([^}]*)\}/g;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function expandEnvRefs(source: string, env: Readonly<Record<string, string | undefined>>): EnvExpansion {
  if (!source.includes('${')) return { text: source, values: [] };
  const values: string[] = [];
  const text = source.replace(REF, (whole, escaped: string, name: string) => {
    if (escaped) return whole.slice(1);
    if (!NAME.test(name)) throw new EnvRefError(`"\${${name}}" is not a valid environment variable reference`);
    const value = env[name];
    if (value === undefined) throw new EnvRefError(`environment variable ${name} is not set`);
    values.push(value);
    return value;
  });
  return { text, values };
}
