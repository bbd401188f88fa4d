import assert from 'node:assert/strict';
import { test } from 'node:test';
import { childEnv } from '../../src/checkers/child-env.js';

type Env = Record<string, string>;

/** [what, monitor's environment, extra_env, what the child gets] */
const table: Array<[string, Env, Env, Env]> = [
  [
    'ordinary variables pass through, extra_env lies over them',
    { PATH: '/bin', HOME: '/root', TZ: 'UTC', HTTPS_PROXY: 'http://proxy:3128', AWS_DEFAULT_REGION: 'eu-west-1', RCLONE_CONFIG: '/etc/rclone.conf' },
    { AWS_DEFAULT_REGION: 'us-east-1' },
    { PATH: '/bin', HOME: '/root', TZ: 'UTC', HTTPS_PROXY: 'http://proxy:3128', AWS_DEFAULT_REGION: 'us-east-1', RCLONE_CONFIG: '/etc/rclone.conf' },
  ],
  ['RESTIC_HOST is never inherited', { PATH: '/bin', RESTIC_HOST: 'web2' }, {}, { PATH: '/bin' }],
  ['RESTIC_HOST in extra_env is the repository\'s own choice', { RESTIC_HOST: 'web2' }, { RESTIC_HOST: 'web1' }, { RESTIC_HOST: 'web1' }],
  [
    'the repository is the url alone: RESTIC_REPOSITORY* never comes from anywhere else',
    { RESTIC_REPOSITORY: '/elsewhere', RESTIC_REPOSITORY_FILE: '/etc/repo' },
    { RESTIC_REPOSITORY_FILE: '/etc/other' },
    {},
  ],
  [
    'a monitor-wide password source passes when the repository sets none',
    { RESTIC_PASSWORD_FILE: '/run/credentials/pw' },
    { AWS_ACCESS_KEY_ID: 'k', AWS_SECRET_ACCESS_KEY: 's' },
    { RESTIC_PASSWORD_FILE: '/run/credentials/pw', AWS_ACCESS_KEY_ID: 'k', AWS_SECRET_ACCESS_KEY: 's' },
  ],
  [
    'a repository\'s own password: no inherited file or command can beat it',
    { RESTIC_PASSWORD_FILE: '/run/pw', RESTIC_PASSWORD_COMMAND: 'pass show x', RESTIC_PASSWORD: 'inherited' },
    { RESTIC_PASSWORD: 'own' },
    { RESTIC_PASSWORD: 'own' },
  ],
  ['a repository\'s own password command', { RESTIC_PASSWORD: 'inherited' }, { RESTIC_PASSWORD_COMMAND: 'cat /pw' }, { RESTIC_PASSWORD_COMMAND: 'cat /pw' }],
  [
    'a repository\'s own S3 keys: no inherited session token or MinIO pair mixes in',
    { AWS_ACCESS_KEY_ID: 'env-k', AWS_SECRET_ACCESS_KEY: 'env-s', AWS_SESSION_TOKEN: 'env-t', MINIO_ACCESS_KEY: 'm', MINIO_SECRET_KEY: 'ms', AWS_DEFAULT_REGION: 'eu' },
    { AWS_ACCESS_KEY_ID: 'own-k', AWS_SECRET_ACCESS_KEY: 'own-s' },
    { AWS_ACCESS_KEY_ID: 'own-k', AWS_SECRET_ACCESS_KEY: 'own-s', AWS_DEFAULT_REGION: 'eu' },
  ],
  [
    'a repository\'s own profile: inherited key pairs (which restic tries first) are dropped, the files stay',
    { AWS_ACCESS_KEY_ID: 'env-k', AWS_SECRET_ACCESS_KEY: 'env-s', AWS_SHARED_CREDENTIALS_FILE: '/etc/aws/credentials' },
    { AWS_PROFILE: 'backup' },
    { AWS_SHARED_CREDENTIALS_FILE: '/etc/aws/credentials', AWS_PROFILE: 'backup' },
  ],
  ['a REST server login', { RESTIC_REST_USERNAME: 'u', RESTIC_REST_PASSWORD: 'p' }, { RESTIC_REST_USERNAME: 'mine' }, { RESTIC_REST_USERNAME: 'mine' }],
  ['a B2 key', { B2_ACCOUNT_ID: 'i', B2_ACCOUNT_KEY: 'k' }, { B2_ACCOUNT_ID: 'mine', B2_ACCOUNT_KEY: 'mk' }, { B2_ACCOUNT_ID: 'mine', B2_ACCOUNT_KEY: 'mk' }],
  ['an Azure SAS beside an inherited account key (restic would use the key)', { AZURE_ACCOUNT_NAME: 'acct', AZURE_ACCOUNT_KEY: 'k' }, { AZURE_ACCOUNT_SAS: 'sas' }, { AZURE_ACCOUNT_NAME: 'acct', AZURE_ACCOUNT_SAS: 'sas' }],
  ['Google credentials beside an inherited access token (restic would use the token)', { GOOGLE_ACCESS_TOKEN: 't' }, { GOOGLE_APPLICATION_CREDENTIALS: '/sa.json' }, { GOOGLE_APPLICATION_CREDENTIALS: '/sa.json' }],
  [
    'rclone filters would hide snapshot files: not inherited, allowed in extra_env',
    { RCLONE_MAX_AGE: '1d', RCLONE_EXCLUDE: '*', RCLONE_FILTER_FROM: '/f', RCLONE_METADATA_INCLUDE_FROM: '/g', RCLONE_MIN_SIZE: '1M', RCLONE_CONFIG_NAS_TYPE: 'sftp' },
    { RCLONE_MIN_AGE: '0s' },
    { RCLONE_CONFIG_NAS_TYPE: 'sftp', RCLONE_MIN_AGE: '0s' },
  ],
  [
    'a second repository and the monitor\'s own settings are nothing a check needs',
    { RESTIC_FROM_REPOSITORY: '/a', RESTIC_FROM_PASSWORD: 'p', RESTIC_PASSWORD_FILE2: '/p2', RESTIC_REPOSITORY2: '/b', RESTIC_MONITOR_CONFIG: '/etc/rm.yaml', RESTIC_MONITOR_FAST: 'true', RESTIC_CACHE_DIR: '/var/cache/restic' },
    {},
    { RESTIC_CACHE_DIR: '/var/cache/restic' },
  ],
];

test('the child environment: what passes through and what is dropped', () => {
  for (const [what, inherited, extraEnv, expected] of table) assert.deepEqual(childEnv(inherited, extraEnv), expected, what);
});

test('what the monitor sets wins over both, and an unset variable is not passed as "undefined"', () => {
  assert.deepEqual(childEnv({ RESTIC_REPOSITORY: '/x', EMPTY: undefined, KEEP: '' }, { RESTIC_REPOSITORY: '/y' }, { RESTIC_REPOSITORY: 's3:host/bucket' }), {
    KEEP: '',
    RESTIC_REPOSITORY: 's3:host/bucket',
  });
});
