import { connectionFailure } from '../network-errors.js';

/** What the SDK hands back when a request fails: a service error, or Node's own network error. */
interface SdkFailure {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  cause?: unknown;
}

/**
 * Pure: a failed S3 request as a short reason a person can act on, naming the bucket or
 * the endpoint (host:port) it concerns. Never includes keys: only codes and names are read.
 */
export function describeS3Error(error: unknown, where: { endpoint: string; bucket: string }): string {
  const failure = (typeof error === 'object' && error !== null ? error : { message: String(error) }) as SdkFailure;
  const inner = (typeof failure.cause === 'object' && failure.cause !== null ? failure.cause : {}) as SdkFailure;
  const code = failure.code ?? inner.code ?? '';
  const name = failure.name ?? '';
  const status = failure.$metadata?.httpStatusCode;
  const host = where.endpoint;

  switch (name) {
    case 'NoSuchBucket':
      return `bucket "${where.bucket}" not found`;
    case 'AccessDenied':
    case 'AllAccessDisabled':
      return `access denied to bucket "${where.bucket}" (the key needs s3:ListBucket)`;
    case 'InvalidAccessKeyId':
      return 'invalid access key (the endpoint does not know this key id)';
    case 'SignatureDoesNotMatch':
      return 'invalid secret key (request signature does not match)';
    case 'CredentialsProviderError':
      return 'no S3 credentials found (set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in extra_env)';
    case 'PermanentRedirect':
    case 'AuthorizationHeaderMalformed':
    case 'IllegalLocationConstraintException':
      return `bucket "${where.bucket}" lives in another region or endpoint (set region, or use the endpoint the provider names)`;
    case 'SlowDown':
      return `${where.endpoint} asked to slow down (HTTP 503 SlowDown), still after retries`;
    case 'ExpiredToken':
    case 'TokenRefreshRequired':
      return 'S3 session token expired';
  }
  const connection = connectionFailure(code, host);
  if (connection) return connection;
  if (code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_')) return `TLS failure with ${host}: ${code}`;
  if (name === 'TimeoutError' || /timed out|timeout/i.test(failure.message ?? '')) return `endpoint unreachable: no answer from ${host}`;
  if (status === 404) return `bucket "${where.bucket}" not found`;
  if (status === 403) return `access denied to bucket "${where.bucket}" (the key needs s3:ListBucket)`;
  if (status !== undefined) return `S3 error from ${host}: ${name || 'unknown'} (HTTP ${status})`;
  // First line only, and not shortened: the caller shortens after redacting (a cut could split a secret).
  return `S3 request to ${host} failed: ${(failure.message ?? (name || 'unknown error')).split('\n')[0]!.trim()}`;
}
