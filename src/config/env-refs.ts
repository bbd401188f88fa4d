/**
 * `${VAR}` in a config string is replaced from the environment, so that secrets can live in
 * an environment file instead of the config; `$${` stands for a literal `${`.
 * Returns the expanded text and each variable substituted with its value: the caller
 * decides which are secrets (config/check.ts).
 */
export interface EnvExpansion {
  text: string;
  refs: Array<{ name: string; value: string }>;
}

export class EnvRefError extends Error {}

const REF = /\$(\$?)\{([^}]*)\}/g;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function expandEnvRefs(source: string, env: Readonly<Record<string, string | undefined>>): EnvExpansion {
  if (!source.includes('${')) return { text: source, refs: [] };
  const refs: EnvExpansion['refs'] = [];
  const text = source.replace(REF, (whole, escaped: string, name: string) => {
    if (escaped) return whole.slice(1);
    if (!NAME.test(name)) throw new EnvRefError(`"\${${name}}" is not a valid environment variable reference`);
    const value = env[name];
    if (value === undefined) throw new EnvRefError(`environment variable ${name} is not set`);
    refs.push({ name, value });
    return value;
  });
  return { text, refs };
}
