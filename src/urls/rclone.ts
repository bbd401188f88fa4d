// The rclone URL form, apart from the rclone checker so that the plan reads it without
// importing a checker (the layer rule in test/layers.unit.test.ts).
import { isCredentialName } from '../config/plain-env.js';

/** `rclone:remote:path` -> `remote:path` (what restic hands to rclone), else undefined. */
export function rcloneRemote(url: string): string | undefined {
  if (!url.startsWith('rclone:')) return undefined;
  const spec = url.slice('rclone:'.length);
  return parseRcloneSpec(spec) === undefined ? undefined : spec;
}

/**
 * The snapshots directory under a remote spec, joined as rclone joins paths. The trailing
 * slash says "a directory": without it, rclone's S3 backend first sends a HEAD to learn
 * whether the path is a file.
 */
export function snapshotsDir(remote: string): string {
  return remote.endsWith(':') || remote.endsWith('/') ? `${remote}snapshots/` : `${remote}/snapshots/`;
}

/** The locks directory under a remote spec (the lock listing), joined as snapshotsDir joins. */
export function locksDir(remote: string): string {
  return remote.endsWith(':') || remote.endsWith('/') ? `${remote}locks/` : `${remote}/locks/`;
}

/** One `key=value` of a connection string; `start`/`end` span the value as written (quotes included). */
export interface RcloneParam {
  key: string;
  value: string;
  start: number;
  end: number;
}

/**
 * A remote spec as rclone reads it: `nas:path`, or a connection string, `nas,key=value:path`
 * (a configured remote with settings laid over it) or `:webdav,url='...',bearer_token=...:path`
 * (a remote made on the fly).
 */
export interface RcloneSpec {
  /** `nas`, or `:webdav` for a remote made on the fly. */
  name: string;
  params: RcloneParam[];
  /** Where the path starts: just after the colon that ends the remote. */
  pathStart: number;
}

// rclone's config name (fs/fspath/path.go configNameRe): letters, digits, _ . + @, and
// spaces or dashes inside.
const NAME = /^:?[\w\p{L}\p{N}.+@]+(?:[ -]+[\w\p{L}\p{N}.+@-]+)*$/u;
const PARAM_CHAR = /[A-Za-z0-9_.]/;

/**
 * Pure: `spec` split as rclone's fspath.Parse splits it (rclone docs, "Connection strings"):
 * a value holding `:` or `,` is quoted with `'` or `"`, a quote inside quotes is doubled, a
 * key without `=value` means `true`. Undefined for a local path (no colon, or a `/` before
 * it) and for a spec rclone would refuse. Text after the remote (its path) is not read, so
 * a spec inside a longer text parses too.
 */
export function parseRcloneSpec(spec: string): RcloneSpec | undefined {
  let index = spec.startsWith(':') ? 1 : 0;
  while (index < spec.length && !':,/\\'.includes(spec[index]!)) index++;
  if (index >= spec.length || spec[index] === '/' || spec[index] === '\\') return undefined;
  const name = spec.slice(0, index);
  if (!NAME.test(name)) return undefined;
  const params: RcloneParam[] = [];
  while (spec[index] === ',') {
    const keyStart = ++index;
    while (index < spec.length && PARAM_CHAR.test(spec[index]!)) index++;
    const key = spec.slice(keyStart, index);
    if (key === '' || index >= spec.length || !':,='.includes(spec[index]!)) return undefined;
    if (spec[index] !== '=') {
      params.push({ key, value: 'true', start: index, end: index });
      continue;
    }
    const start = ++index;
    const quote = spec[index];
    let value: string;
    if (quote === "'" || quote === '"') {
      value = '';
      for (index++; ; index++) {
        if (index >= spec.length) return undefined;
        if (spec[index] !== quote) value += spec[index];
        else if (spec[index + 1] === quote) value += spec[index++];
        else break;
      }
      index++;
      if (index >= spec.length || !':,'.includes(spec[index]!)) return undefined;
    } else {
      while (index < spec.length && !':,'.includes(spec[index]!)) index++;
      if (index >= spec.length) return undefined;
      value = spec.slice(start, index);
    }
    params.push({ key, value, start, end: index });
  }
  return { name, params, pathStart: index + 1 };
}

/**
 * Settings of a connection string that configure where and how, not who: shown as written.
 * Every other value is a secret (a token, a password, a key), as extra_env's are. A value that
 * looks like a setting (a number, a size, true or false: `chunk_size=64M`) is shown too,
 * unless its key names a credential (`pass=12345678`).
 */
const PLAIN_PARAMS: ReadonlySet<string> = new Set(['url', 'host', 'port', 'user', 'provider', 'region', 'endpoint', 'vendor', 'env_auth']);
const PLAIN_VALUE = /^(true|false|\d+(\.\d+)?[A-Za-z]{0,2})$/i;

/** Whether a parameter's value is masked in every output. */
export function isSecretParam(param: Pick<RcloneParam, 'key' | 'value'>): boolean {
  if (param.value === '' || PLAIN_PARAMS.has(param.key.toLowerCase())) return false;
  return !PLAIN_VALUE.test(param.value) || isCredentialName(param.key);
}

/** The secret values of the connection string in an `rclone:` URL (none for any other URL). */
export function rcloneSecrets(url: string): string[] {
  if (!url.startsWith('rclone:')) return [];
  const parsed = parseRcloneSpec(url.slice('rclone:'.length));
  return parsed === undefined ? [] : parsed.params.filter(isSecretParam).map((param) => param.value);
}

/** The remote a connection string becomes for a child process: an alias defined in its environment. */
export const VIA_ENV_REMOTE = 'restic_monitor_remote';
const VIA_ENV_PREFIX = `RCLONE_CONFIG_${VIA_ENV_REMOTE.toUpperCase()}`;

/**
 * What rclone is given for `spec`. A plain `remote:path` goes on its command line as it is. A
 * connection string carries credentials, and a command line is public (`ps`, /proc/PID/cmdline):
 * it goes whole into the child's environment as an rclone `alias` remote, and the command
 * line names only that alias. rclone then reads the string exactly as written (quoting,
 * settings over a configured remote), and restic passes its environment on to the rclone it
 * starts, so `rclone:restic_monitor_remote:` serves restic mode the same way.
 */
export function viaEnvironment(spec: string): { spec: string; env: Record<string, string> } {
  const parsed = parseRcloneSpec(spec);
  if (parsed === undefined || parsed.params.length === 0) return { spec, env: {} };
  return { spec: `${VIA_ENV_REMOTE}:`, env: { [`${VIA_ENV_PREFIX}_TYPE`]: 'alias', [`${VIA_ENV_PREFIX}_REMOTE`]: spec } };
}

/** `rclone:` URLs given through the environment (viaEnvironment): RESTIC_REPOSITORY and what goes with it. */
export function resticRepositoryEnv(url: string): Record<string, string> {
  const remote = rcloneRemote(url);
  if (remote === undefined) return { RESTIC_REPOSITORY: url };
  const passed = viaEnvironment(remote);
  return { ...passed.env, RESTIC_REPOSITORY: `rclone:${passed.spec}` };
}

/**
 * Masks the secret values of every `rclone:` connection string in `text` (`bearer_token=***`),
 * by their place in the string: a config error or a message quotes the URL before anything
 * registered its secrets, and a value shorter than a registered secret may be is masked too.
 */
export function redactRcloneSpecs(text: string): string {
  if (!text.includes('rclone:')) return text;
  let out = '';
  let done = 0;
  for (let at = text.indexOf('rclone:'); at !== -1; at = text.indexOf('rclone:', at + 1)) {
    const specStart = at + 'rclone:'.length;
    if (specStart < done) continue;
    const parsed = parseRcloneSpec(text.slice(specStart));
    if (parsed === undefined) {
      // A connection string rclone would refuse (an unclosed quote) may still hold a secret:
      // nothing after its first "=" is shown, to the end of the line.
      const rest = text.slice(specStart);
      const equals = /^:?[^\s:,/\\]*,[^\n]*?=/.exec(rest);
      if (equals === null) continue;
      const end = rest.indexOf('\n', equals[0].length);
      out += `${text.slice(done, specStart + equals[0].length)}***`;
      done = end === -1 ? text.length : specStart + end;
      continue;
    }
    for (const param of parsed.params) {
      if (!isSecretParam(param)) continue;
      out += `${text.slice(done, specStart + param.start)}***`;
      done = specStart + param.end;
    }
  }
  return out + text.slice(done);
}
