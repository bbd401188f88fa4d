import { createHash } from 'node:crypto';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { createSecureContext, rootCertificates } from 'node:tls';
import type { S3Client, S3ClientConfig } from '@aws-sdk/client-s3';
import type { CredentialSource } from './credentials.js';

export type S3Sdk = typeof import('@aws-sdk/client-s3');
type IniSdk = typeof import('@aws-sdk/credential-provider-ini');

export interface Loaders {
  sdk: () => Promise<S3Sdk>;
  ini: () => Promise<IniSdk>;
}

/**
 * The SDK costs ~100 ms to import: it is loaded on the first fast check only, so a config
 * with restic repositories alone never pays for it. Node caches the module afterwards.
 */
export const defaultLoaders: Loaders = {
  sdk: () => {
    // On Node 20 the SDK warns on stderr, every run, about its releases after January 2027:
    // nothing a monitor's user can act on in its output. An explicit setting is respected.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    return import('@aws-sdk/client-s3');
  },
  ini: () => import('@aws-sdk/credential-provider-ini'),
};

export interface ClientSettings {
  /** http(s)://host[:port] */
  endpoint: string;
  region: string;
  pathStyle: boolean;
  credentials: CredentialSource;
  /** Extra PEM certificates trusted besides the system's (restic --cacert). */
  caPem?: string;
}

/**
 * One S3Client per distinct (endpoint, region, addressing, credentials, CA): checks of many
 * repositories on one endpoint with one key share its keep-alive connections, and two
 * repositories with different keys never share a client. Keys are hashed, so no secret is
 * kept as a map key.
 */
export class S3ClientPool {
  private readonly clients = new Map<string, Promise<S3Client>>();

  constructor(private readonly loaders: Loaders = defaultLoaders) {}

  sdk(): Promise<S3Sdk> {
    return this.loaders.sdk();
  }

  get(settings: ClientSettings): Promise<S3Client> {
    const key = createHash('sha256').update(JSON.stringify(settings)).digest('hex');
    let client = this.clients.get(key);
    if (!client) {
      client = this.create(settings);
      // A failed creation is not cached: the next check tries again.
      client.catch(() => this.clients.delete(key));
      this.clients.set(key, client);
    }
    return client;
  }

  /** Closes every pooled connection (daemon shutdown, tests). */
  async destroy(): Promise<void> {
    const clients = [...this.clients.values()];
    this.clients.clear();
    for (const client of await Promise.allSettled(clients)) if (client.status === 'fulfilled') client.value.destroy();
  }

  private async create(settings: ClientSettings): Promise<S3Client> {
    const sdk = await this.loaders.sdk();
    const source = settings.credentials;
    let credentials: S3ClientConfig['credentials'];
    if (source.kind === 'static') {
      const { accessKeyId, secretAccessKey, sessionToken } = source;
      credentials = { accessKeyId, secretAccessKey, ...(sessionToken && { sessionToken }) };
    } else if (source.kind === 'profile') {
      const { fromIni } = await this.loaders.ini();
      const { profile, filepath, configFilepath } = source;
      credentials = fromIni({ ...(profile && { profile }), ...(filepath && { filepath }), ...(configFilepath && { configFilepath }) });
    }
    // One secure context per client, built once: an agent given `ca` instead re-parses the
    // ~140 system roots for every connection and puts all their text in every request's
    // pool key (measured in bench/RESULTS.md: a third of a fleet run's CPU).
    const secureContext = settings.caPem === undefined ? undefined : createSecureContext({ ca: [...rootCertificates, settings.caPem] });
    return new sdk.S3Client({
      endpoint: settings.endpoint,
      region: settings.region,
      forcePathStyle: settings.pathStyle,
      ...(credentials && { credentials }),
      // An Amazon bucket in another region than the one assumed answers 301 with its region.
      followRegionRedirects: true,
      maxAttempts: 3,
      requestHandler: {
        httpAgent: new HttpAgent({ keepAlive: true }),
        httpsAgent: new HttpsAgent({ keepAlive: true, ...(secureContext && { secureContext }) }),
        connectionTimeout: 10_000,
      },
    });
  }
}
