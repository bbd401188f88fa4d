// The pod of a workload in deploy/kubernetes/, as `podman run` arguments, for
// .ci/container-smoke.sh: no cluster here, so the real image runs with what the manifest asks of
// a kubelet: its user, groups and fsGroup, read-only root, dropped capabilities, no privilege
// escalation, its environment and args, and its volumes made as a kubelet makes them (an
// emptyDir is a 0777 directory, a ConfigMap or Secret volume a read-only directory of files, a
// Secret's files root-owned in the fsGroup with defaultMode). The config is the ConfigMap's
// with the smoke's `defaults` and `repositories` (there is no S3 here), the Secret's file the
// smoke's env file.
//   node .ci/kubernetes-pod.mjs deployment|cronjob DIR IMAGE REPOSITORIES_YAML ENV
// writes DIR/pod.args (`podman run` options, one a line), DIR/pod.cmd (the image and its
// args, one a line) and DIR/pod.json ({ grace, probe: { path, port } | null, mounts: { path:
// host directory } }).
import { chmodSync, chownSync, copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments, stringify } from 'yaml';

const [kind, dir, image, repositoriesFile, envFile] = process.argv.slice(2);
const load = (file) => parseAllDocuments(readFileSync(join('deploy/kubernetes', file), 'utf8'), { version: '1.1' }).map((d) => d.toJS());
const workload = load(`${kind}.yaml`)[0];
const configMap = load('configmap.yaml')[0];
const template = workload.kind === 'CronJob' ? workload.spec.jobTemplate.spec.template : workload.spec.template;
const pod = template.spec;
const [container, ...others] = pod.containers;
if (others.length > 0 || pod.initContainers) throw new Error('one container per pod is all this translation knows');
const podSecurity = pod.securityContext ?? {};
const own = container.securityContext ?? {};

const args = ['--image-volume=ignore', '--network=none', '--no-healthcheck'];
const uid = own.runAsUser ?? podSecurity.runAsUser;
const gid = own.runAsGroup ?? podSecurity.runAsGroup ?? uid;
if (uid !== undefined) args.push(`--user=${uid}:${gid}`);
if (podSecurity.fsGroup !== undefined) args.push(`--group-add=${podSecurity.fsGroup}`);
if (own.readOnlyRootFilesystem) args.push('--read-only', '--read-only-tmpfs=false');
for (const capability of own.capabilities?.drop ?? []) args.push(`--cap-drop=${capability.toLowerCase()}`);
if (own.allowPrivilegeEscalation === false) args.push('--security-opt=no-new-privileges');
for (const variable of container.env ?? []) args.push('-e', `${variable.name}=${variable.value}`);

for (const volume of pod.volumes ?? []) {
  const host = join(dir, 'volumes', volume.name);
  mkdirSync(host, { recursive: true });
  if (volume.emptyDir) {
    chmodSync(host, 0o777);
  } else if (volume.configMap) {
    if (volume.configMap.name !== configMap.metadata.name) throw new Error(`${volume.name}: no ConfigMap ${volume.configMap.name}`);
    for (const [key, text] of Object.entries(configMap.data)) {
      const config = parse(text);
      delete config.defaults;
      Object.assign(config, parse(readFileSync(repositoriesFile, 'utf8')));
      writeFileSync(join(host, key), stringify(config));
      chmodSync(join(host, key), volume.configMap.defaultMode ?? 0o644);
    }
  } else if (volume.secret) {
    for (const item of volume.secret.items) {
      const file = join(host, item.path);
      copyFileSync(envFile, file);
      // A kubelet: root-owned, in the fsGroup, defaultMode (0644 when unset); with an fsGroup
      // it adds read for the owner and the group (SetVolumeOwnership, read-only volumes).
      chownSync(file, 0, podSecurity.fsGroup ?? 0);
      chmodSync(file, (item.mode ?? volume.secret.defaultMode ?? 0o644) | (podSecurity.fsGroup === undefined ? 0 : 0o440));
    }
  } else {
    throw new Error(`${volume.name}: a volume kind this translation does not know`);
  }
}
const mounts = {};
for (const mount of container.volumeMounts ?? []) {
  if (mount.subPath) throw new Error(`${mount.name}: subPath is not translated`);
  mounts[mount.mountPath] = join(dir, 'volumes', mount.name);
  args.push('-v', `${mounts[mount.mountPath]}:${mount.mountPath}${mount.readOnly ? ':ro' : ''}`);
}

const probe = container.livenessProbe?.httpGet;
const port = probe && (typeof probe.port === 'number' ? probe.port : container.ports.find((p) => p.name === probe.port).containerPort);
if (container.command) args.push(`--entrypoint=${JSON.stringify(container.command)}`);
writeFileSync(join(dir, 'pod.args'), `${args.join('\n')}\n`);
writeFileSync(join(dir, 'pod.cmd'), `${[image, ...(container.args ?? [])].join('\n')}\n`);
writeFileSync(join(dir, 'pod.json'), JSON.stringify({ grace: pod.terminationGracePeriodSeconds ?? 30, probe: probe ? { path: probe.path, port } : null, mounts }));
