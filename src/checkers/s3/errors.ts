/** What the SDK hands back when a request fails: a service error, or Node's own network error. */
interface SdkFailure {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  cause?: unknown;
}

const CERT_NOT_TRUSTED = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
]);

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
  switch (code) {
    case 'ECONNREFUSED':
      return `endpoint unreachable: ${host} refused the connection`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `endpoint unreachable: cannot resolve ${host}`;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `endpoint unreachable: no route to ${host}`;
    case 'ECONNRESET':
    case 'EPIPE':
      return `endpoint unreachable: ${host} closed the connection`;
    case 'ETIMEDOUT':
      return `endpoint unreachable: no answer from ${host}`;
    case 'CERT_HAS_EXPIRED':
      return `TLS failure with ${host}: certificate expired`;
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return `TLS failure with ${host}: certificate does not match the host name`;
    case 'EPROTO':
      return `TLS failure with ${host}: no TLS handshake (is it an http:// endpoint?)`;
  }
  if (CERT_NOT_TRUSTED.has(code)) return `TLS failure with ${host}: certificate not trusted (set ca_cert)`;
  if (code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_')) return `TLS failure with ${host}: ${code}`;
  if (name === 'TimeoutError' || /timed out|timeout/i.test(failure.message ?? '')) return `endpoint unreachable: no answer from ${host}`;
  if (status === 404) return `bucket "${where.bucket}" not found`;
  if (status === 403) return `access denied to bucket "${where.bucket}" (the key needs s3:ListBucket)`;
  if (status !== undefined) return `S3 error from ${host}: ${name || 'unknown'} (HTTP ${status})`;
  return `S3 request to ${host} failed: ${shorten(failure.message ?? (name || 'unknown error'))}`;
}

function shorten(text: string): string {
  const line = text.split('\n')[0]!.trim();
  return line.length > 160 ? `${line.slice(0, 157)}...` : line;
}
