/**
 * Environment variables (in extra_env or an environment file) whose values configure the
 * monitor or restic rather than authenticate anything. Every other value is a secret and
 * masked wherever it appears; masking these would garble output ("true" in every JSON
 * document, "local" in every path, a region in every URL).
 */
const PLAIN_NAMES: ReadonlySet<string> = new Set([
  'AWS_DEFAULT_REGION',
  'AWS_REGION',
  'AWS_PROFILE',
  'RESTIC_MONITOR_CONFIG',
  'RESTIC_MONITOR_FAST',
  'RESTIC_MONITOR_RESTIC',
  'RESTIC_MONITOR_READER',
  'LOG_LEVEL',
  'NO_COLOR',
  'TZ',
  'RESTIC_CACHE_DIR',
  'XDG_CACHE_HOME',
  // Paths to secrets are not secrets; masking them hides which file is missing.
  'CREDENTIALS_DIRECTORY',
  'RESTIC_PASSWORD_FILE',
  'RESTIC_CACERT',
  'AWS_SHARED_CREDENTIALS_FILE',
  'AWS_CONFIG_FILE',
  'GOOGLE_APPLICATION_CREDENTIALS',
]);

// rclone's remote type and provider ("local", "drive") and its config file's path.
const PLAIN_RCLONE = /^RCLONE_CONFIG(?:_[A-Z0-9_]+_(?:TYPE|PROVIDER))?$/;

export function isPlainEnvName(name: string): boolean {
  return PLAIN_NAMES.has(name) || PLAIN_RCLONE.test(name);
}

/**
 * Names that hold credentials, for every backend restic and rclone know: RESTIC_PASSWORD,
 * AWS_SECRET_ACCESS_KEY, MINIO_SECRET_KEY, B2_ACCOUNT_KEY, AZURE_ACCOUNT_SAS, OS_PASSWORD,
 * ST_KEY, RCLONE_CONFIG_<REMOTE>_PASS / _TOKEN, and an rclone connection string's `pass=`.
 */
const CREDENTIAL_NAME = /PASS|SECRET|TOKEN|KEY|SAS|CREDENTIAL|^MINIO_ACCESS/i;

export function isCredentialName(name: string): boolean {
  return CREDENTIAL_NAME.test(name);
}
