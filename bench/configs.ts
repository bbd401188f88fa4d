import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Fixtures } from './fixtures.js';

/** Writes the YAML configs the cases run the CLI with; returns their paths. */
export async function writeConfigs(fx: Fixtures, fleetConcurrency: number) {
  const s3Defaults = (concurrency: number) =>
    `concurrency: ${concurrency}\ndefaults:\n  url: "s3:https://${fx.s3.host}/${fx.s3.bucket}/{{ .Name }}"\n  mode: fast\n` +
    `  ca_cert: ${fx.ca.certPath}\n  push_url: ${fx.receiver.pushUrl}\n` +
    '  extra_env: { AWS_ACCESS_KEY_ID: S3RVER, AWS_SECRET_ACCESS_KEY: S3RVER }\nrepositories:\n';
  const fleetEntries = fx.fleet.map((name, i) => `  ${name}: { push_token: tok${i} }\n`).join('');
  const paths = {
    fleet: join(fx.dir, 'fleet.yaml'),
    fleetSerial: join(fx.dir, 'fleet-serial.yaml'),
    big: join(fx.dir, 'big.yaml'),
    one: join(fx.dir, 'one.yaml'),
    local: join(fx.dir, 'local.yaml'),
    resticOnly: join(fx.dir, 'restic-only.yaml'),
  };
  await writeFile(paths.fleet, s3Defaults(fleetConcurrency) + fleetEntries);
  await writeFile(paths.fleetSerial, s3Defaults(1) + fleetEntries);
  await writeFile(paths.big, `${s3Defaults(1)}  ${fx.big}: {}\n`);
  await writeFile(paths.one, `${s3Defaults(1)}  ${fx.fleet[0]}: {}\n`);
  const localEntries = fx.local.map((url, i) => `  local-${i}: { url: ${url}, push_token: tok${i} }\n`).join('');
  await writeFile(paths.local, `concurrency: 2\ndefaults:\n  push_url: ${fx.receiver.pushUrl}\nrepositories:\n${localEntries}`);
  // The restic binary (the stub) reads it: the built-in reader would derive a key.
  await writeFile(paths.resticOnly, `repositories:\n  local:\n    url: ${fx.local[0]}\n    reader: restic\n`);
  return paths;
}

export type ConfigPaths = Awaited<ReturnType<typeof writeConfigs>>;
