// deploy/kubernetes/ through the real kubectl, without a cluster (.ci/deploy-checks.sh runs it):
// `kubectl kustomize` must render exactly the plain files the kustomization lists (so
// `kubectl apply -k` and the files a reader reads are the same objects), and the guide's own
// `kubectl create secret generic ... --from-file=env=./env`, run with --dry-run=client, must make
// the Secret, key and namespace that the Deployment mounts as its env file.
import { spawnSync } from 'node:child_process';
import { deepStrictEqual } from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';

const DIR = 'deploy/kubernetes';
const fail = (message) => {
  console.error(`kubernetes-check: ${message}`);
  process.exit(1);
};
const kubectl = (args, cwd) => {
  const result = spawnSync('kubectl', args, { cwd, encoding: 'utf8' });
  if (result.error || result.status !== 0) fail(`kubectl ${args.join(' ')} failed: ${result.error?.message ?? result.stderr.trim()}`);
  return result.stdout;
};
// Kubernetes reads YAML 1.1 (defaultMode: 0440 is octal there).
const objects = (text) => parseAllDocuments(text, { version: '1.1' }).map((doc) => doc.toJS()).filter(Boolean);
const byKindAndName = (a, b) => `${a.kind}/${a.metadata.name}`.localeCompare(`${b.kind}/${b.metadata.name}`);

const kustomization = parse(readFileSync(join(DIR, 'kustomization.yaml'), 'utf8'));
const plain = kustomization.resources.flatMap((file) => objects(readFileSync(join(DIR, file), 'utf8'))).sort(byKindAndName);
const rendered = objects(kubectl(['kustomize', DIR])).sort(byKindAndName);
try {
  deepStrictEqual(rendered, plain);
} catch (error) {
  fail(`kubectl kustomize ${DIR} differs from the plain files it lists:\n${error.message}`);
}
console.log(`kubernetes-check: kubectl kustomize renders the ${plain.length} objects of the plain files unchanged`);

const guide = readFileSync('docs/kubernetes.md', 'utf8');
const command = /^kubectl -n \S+ create secret generic \S+ --from-file=\S+=\.\/env$/m.exec(guide)?.[0];
if (!command) fail('docs/kubernetes.md: no `kubectl -n NAMESPACE create secret generic NAME --from-file=KEY=./env` line');
const scratch = mkdtempSync(join(tmpdir(), 'kubernetes-check-'));
try {
  const env = 'RESTIC_PASSWORD=kubernetes-check\n';
  writeFileSync(join(scratch, 'env'), env);
  const secret = JSON.parse(kubectl([...command.split(' ').slice(1), '--dry-run=client', '-o', 'json'], scratch));
  const deployment = plain.find((object) => object.kind === 'Deployment');
  const pod = deployment.spec.template.spec;
  const volume = pod.volumes.find((v) => v.secret)?.secret;
  if (secret.metadata.name !== volume?.secretName) fail(`the guide makes the Secret ${secret.metadata.name}, the Deployment mounts ${volume?.secretName}`);
  if (secret.metadata.namespace !== deployment.metadata.namespace) fail(`the guide makes the Secret in ${secret.metadata.namespace}, the Deployment is in ${deployment.metadata.namespace}`);
  const keys = Object.keys(secret.data ?? {});
  const read = volume.items.map((item) => item.key);
  if (keys.join() !== read.join()) fail(`the guide's Secret has the keys ${keys.join(', ')}; the Deployment reads ${read.join(', ')}`);
  if (Buffer.from(secret.data[keys[0]], 'base64').toString('utf8') !== env) fail("the Secret's key does not hold the env file as written");
  console.log(`kubernetes-check: the guide's \`${command}\` makes the Secret the Deployment reads (key ${keys[0]}, namespace ${secret.metadata.namespace})`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
