type Env = Readonly<Record<string, string | undefined>>;

/** Where a repository's S3 credentials come from; resolved to an SDK provider by the client pool. */
export type CredentialSource =
  | { kind: 'static'; accessKeyId: string; secretAccessKey: string; sessionToken?: string; from: 'extra_env' | 'environment' }
  | { kind: 'profile'; profile?: string; filepath?: string; configFilepath?: string }
  | { kind: 'default' };

/**
 * Pure. The repository's extra_env first, then the process environment, then the SDK's
 * default chain (shared files, SSO, web identity, instance metadata). Within each source a
 * key pair wins over a profile, as in restic; MINIO_ACCESS_KEY/MINIO_SECRET_KEY count as a
 * key pair, as they do for restic.
 */
export function credentialSource(extraEnv: Env, env: Env): CredentialSource {
  const own = keyPair(extraEnv);
  if (own) return { ...own, from: 'extra_env' };
  if (extraEnv.AWS_PROFILE || extraEnv.AWS_SHARED_CREDENTIALS_FILE) return profileFrom({ ...env, ...extraEnv });
  const inherited = keyPair(env);
  if (inherited) return { ...inherited, from: 'environment' };
  if (env.AWS_PROFILE || env.AWS_SHARED_CREDENTIALS_FILE) return profileFrom(env);
  return { kind: 'default' };
}

/** The region when the config names none: AWS_DEFAULT_REGION from extra_env, then the environment. */
export function regionFromEnv(extraEnv: Env, env: Env): string | undefined {
  return extraEnv.AWS_DEFAULT_REGION || env.AWS_DEFAULT_REGION || undefined;
}

function keyPair(env: Env): { kind: 'static'; accessKeyId: string; secretAccessKey: string; sessionToken?: string } | undefined {
  if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) {
    return {
      kind: 'static',
      accessKeyId: env.AWS_ACCESS_KEY_ID,
      secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
      ...(env.AWS_SESSION_TOKEN && { sessionToken: env.AWS_SESSION_TOKEN }),
    };
  }
  if (env.MINIO_ACCESS_KEY && env.MINIO_SECRET_KEY) {
    return { kind: 'static', accessKeyId: env.MINIO_ACCESS_KEY, secretAccessKey: env.MINIO_SECRET_KEY };
  }
  return undefined;
}

function profileFrom(env: Env): CredentialSource {
  return {
    kind: 'profile',
    ...(env.AWS_PROFILE && { profile: env.AWS_PROFILE }),
    ...(env.AWS_SHARED_CREDENTIALS_FILE && { filepath: env.AWS_SHARED_CREDENTIALS_FILE }),
    ...(env.AWS_CONFIG_FILE && { configFilepath: env.AWS_CONFIG_FILE }),
  };
}
