/**
 * Pure: a failed HTTP(S) connection (Node's or undici's error codes) as a short reason
 * naming host:port. Only codes are read, never the request, so no credential can leak.
 */
export function describeNetworkError(error: unknown, host: string): string {
  const failure = (error ?? {}) as { code?: string; name?: string; message?: string; cause?: { code?: string } };
  const code = failure.code ?? failure.cause?.code ?? '';
  const reason = connectionFailure(code, host);
  if (reason) return reason;
  if (failure.name === 'AbortError' || code === 'UND_ERR_ABORTED') return 'aborted';
  return `request to ${host} failed${code ? ` (${code})` : ''}`;
}

/**
 * The reason for one connection error code, in the words every backend uses (fast mode, the
 * built-in reader, and restic's own dial errors in restic-errors.ts); undefined for others.
 */
export function connectionFailure(code: string, host: string): string | undefined {
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
    case 'UND_ERR_SOCKET':
      return `endpoint unreachable: ${host} closed the connection`;
    case 'ETIMEDOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
      return `endpoint unreachable: no answer from ${host}`;
    case 'CERT_HAS_EXPIRED':
      return `TLS failure with ${host}: certificate expired`;
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return `TLS failure with ${host}: certificate does not match the host name`;
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
      return `TLS failure with ${host}: certificate not trusted (set ca_cert)`;
    case 'EPROTO':
      return `TLS failure with ${host}: no TLS handshake (is it an http:// endpoint?)`;
  }
  return undefined;
}
