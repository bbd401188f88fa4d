import assert from 'node:assert/strict';
import type { CliResult } from './cli.js';

// The secrets suites (test/secrets*.test.ts) share one config holding one canary per kind of
// secret: none of them may appear anywhere the monitor writes.
export const CANARY = {
  token: 'canaryPushToken0001',
  unknownToken: 'canaryPushToken0002',
  extraEnv: 'canary-extra-env-0003',
  awsKeyId: 'canary-aws-key-id-0004',
  awsSecret: 'canary-aws-secret-0005',
  resticPassword: 'canary-restic-password-0006',
  urlPassword: 'canary-url-password-0007',
  envVar: 'canaryEnvVarToken0008',
  pingUuid: 'canary0009-ping-uuid-0000-000000000009',
  fastKeyId: 'CANARYFASTKEYID00010',
  fastSecret: 'canary-fast-secret-0011',
  hostVar: 'canary-host-from-env-0012',
  pastedToken: 'canaryPastedToken0013',
};

/** The push tokens a receiver knows: pushes with these land, the others are refused. */
export const KNOWN_TOKENS = [CANARY.token, CANARY.envVar, CANARY.pastedToken];

/** The environment the commands run in: two secrets come from it. */
export const CANARY_ENV = { TOKEN_FROM_ENV: CANARY.envVar, HOST_FROM_ENV: CANARY.hostVar, LOG_LEVEL: 'debug' };

/** The config, its repositories under `root` (`real` is a repository where one is needed). */
export function canaryConfig(root: string, pushUrl: string): string {
  return `defaults:
  push_url: ${pushUrl}
  extra_env:
    AWS_ACCESS_KEY_ID: ${CANARY.awsKeyId}
    AWS_SECRET_ACCESS_KEY: ${CANARY.awsSecret}
    EXTRA_SECRET: ${CANARY.extraEnv}
    RESTIC_PASSWORD: ${CANARY.resticPassword}
repositories:
  wrong-password:
    url: ${root}/real
    push_token: ${CANARY.token}
  url-password:
    url: rest:http://monitor:${CANARY.urlPassword}@127.0.0.1:1/repo
    push_token: ${CANARY.unknownToken}
    timeout: 3s  # restic 0.18 retries a refused connection until then
  from-env:
    url: ${root}/missing
    push_token: \${TOKEN_FROM_ENV}
    host: \${HOST_FROM_ENV}
  pasted-push-url:
    url: ${root}/missing
    push_url: "${pushUrl}${CANARY.pastedToken}?status=up&msg=OK&ping="
  fast-s3:
    url: s3:http://127.0.0.1:1/bucket/repo
    mode: fast
    ping_url: http://127.0.0.1:1/ping/${CANARY.pingUuid}
    extra_env: {AWS_ACCESS_KEY_ID: ${CANARY.fastKeyId}, AWS_SECRET_ACCESS_KEY: ${CANARY.fastSecret}}
`;
}

/** Fails naming the kind of secret found in the commands' output or in a pushed message. */
export function assertNoCanary(outputs: CliResult[], pushed: string[]): void {
  const everything = [...outputs.flatMap((output) => [output.stdout, output.stderr]), ...pushed].join('\n');
  for (const [kind, canary] of Object.entries(CANARY)) {
    assert.ok(!everything.includes(canary), `${kind} leaked`);
  }
}
