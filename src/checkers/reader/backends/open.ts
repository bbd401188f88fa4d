import type { Agent, Dispatcher } from '../../../undici.js';
import { rootCertificates } from 'node:tls';
import { localRepositoryPath } from '../../../urls/local.js';
import type { S3ClientPool } from '../../s3/client-pool.js';
import { credentialSource, regionFromEnv } from '../../s3/credentials.js';
import { isS3Url, parseS3Url } from '../../../urls/s3.js';
import type { BucketLookup } from '../../../config/types.js';
import type { Backend } from '../backend.js';
import { ReaderError } from '../errors.js';
import { LocalBackend } from './local.js';
import { LargeReads } from '../large-reads.js';
import { parseRestUrl, RestBackend } from './rest.js';
import { S3Backend } from './s3.js';

type Env = Readonly<Record<string, string | undefined>>;

/** What picks a backend and its credentials: the repository's settings and environment. */
export interface BackendSettings {
  url: string;
  extraEnv: Env;
  /** The process environment (extra_env is laid over it). */
  env: Env;
  region?: string;
  bucketLookup: BucketLookup;
  /** PEM trusted besides the system's roots (restic --cacert), already read. */
  caPem?: string;
}

export type BackendKind = 'local' | 's3' | 'rest';

/** Which of the reader's backends serves `url`; undefined: only the restic binary can. */
export function backendKind(url: string): BackendKind | undefined {
  if (isS3Url(url)) return 'error' in parseS3Url(url) ? undefined : 's3';
  if (url.startsWith('rest:')) return 'rest';
  return localRepositoryPath(url) === undefined ? undefined : 'local';
}

export interface BackendDeps {
  s3Pool: S3ClientPool;
  /** One for the process: large files are read one at a time (large-reads.ts). */
  largeReads?: LargeReads;
  /** One undici Agent per extra CA for https rest: servers; the caller closes them. */
  restAgent: (caPem: string) => Promise<Dispatcher>;
}

/** The backend for a repository, or an `unsupported` error for a URL only restic reads. */
export function openBackend(settings: BackendSettings, deps: BackendDeps): Backend {
  const kind = backendKind(settings.url);
  if (kind === 's3') {
    const location = parseS3Url(settings.url);
    if ('error' in location) throw new ReaderError('unsupported', `repository URL ${location.error}`);
    const lookup = settings.bucketLookup;
    return new S3Backend(
      deps.s3Pool,
      deps.largeReads ?? new LargeReads(),
      {
        endpoint: `${location.useTls ? 'https' : 'http'}://${location.endpoint}`,
        region: settings.region ?? regionFromEnv(settings.extraEnv, settings.env) ?? location.region ?? 'us-east-1',
        pathStyle: lookup === 'auto' ? location.pathStyle : lookup === 'path',
        credentials: credentialSource(settings.extraEnv, settings.env),
        ...(settings.caPem !== undefined && { caPem: settings.caPem }),
      },
      location,
    );
  }
  if (kind === 'rest') {
    const target = parseRestUrl(settings.url, { ...settings.env, ...settings.extraEnv });
    if ('error' in target) throw new ReaderError('unsupported', `repository URL ${target.error}`);
    const caPem = settings.caPem;
    return new RestBackend(target, deps.largeReads ?? new LargeReads(), caPem === undefined ? undefined : () => deps.restAgent(caPem));
  }
  if (kind === 'local') return new LocalBackend(localRepositoryPath(settings.url)!, deps.largeReads);
  const scheme = /^([a-z0-9]+):/.exec(settings.url)?.[1] ?? settings.url;
  throw new ReaderError('unsupported', `the built-in reader does not read ${scheme}: repositories`);
}

/** Agents for https rest: servers with their own CA, one per CA, each built once (undici loaded then). */
export class RestAgents {
  private readonly agents = new Map<string, Promise<Agent>>();

  get = (caPem: string): Promise<Dispatcher> => {
    let agent = this.agents.get(caPem);
    if (!agent) {
      agent = import('../../../undici.js').then(
        ({ Agent }) => new Agent({ connect: { ca: [...rootCertificates, caPem] } }),
        (error: unknown) => {
          // Not kept: the next read tries to load it again.
          this.agents.delete(caPem);
          throw error;
        },
      );
      this.agents.set(caPem, agent);
    }
    return agent;
  };

  async close(): Promise<void> {
    const agents = [...this.agents.values()];
    this.agents.clear();
    await Promise.all(agents.map(async (agent) => (await agent).close()));
  }
}
