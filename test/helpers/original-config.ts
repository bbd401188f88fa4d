// The original tool's example, byte for byte.
export const ORIGINAL_CONFIG = `defaults:
  url: "s3:https://s3.example.com/restic-{{ .Name }}"
  max_age: 1d
  push_url: https://uptime-kuma.example.com/api/push/
  extra_env:
    AWS_ACCESS_KEY_ID: "your-key-id"
    AWS_SECRET_ACCESS_KEY: "your-secret"
repositories:
  web-server:
    push_token: yDaQM5YUuS3rczSvLsOucs4LqHSRDhu6
  db-server:
    push_token: ap2F52Qjmup9dxyPcWa1eNt125AukcrV
    max_age: 6h
`;

/** Its two push tokens, as written above. */
export const WEB_TOKEN = 'yDaQM5YUuS3rczSvLsOucs4LqHSRDhu6';
export const DB_TOKEN = 'ap2F52Qjmup9dxyPcWa1eNt125AukcrV';

/** The example changed only in its URLs: repositories under `root`, pushes to `pushUrl`. */
export function originalConfigAt(root: string, pushUrl: string): string {
  return ORIGINAL_CONFIG.replace('s3:https://s3.example.com/', `${root}/`).replace('https://uptime-kuma.example.com/api/push/', pushUrl);
}
