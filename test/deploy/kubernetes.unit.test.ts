// deploy/kubernetes/: every object against the Kubernetes OpenAPI schemas, then the project's
// own rules, each read from where the project states it (the Containerfile, src/, the config in
// the ConfigMap, bench/RESULTS.md, docs/kubernetes.md) rather than written here a second time.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { Namespace, ConfigMap, Service } from 'kubernetes-models/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { CronJob } from 'kubernetes-models/batch/v1';
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import { CLEAN_STOP_BOUND_MS } from '../../src/cli/signals.js';
import { parseEnvFile } from '../../src/config/env-file.js';
import { parseConfig } from '../../src/config/parse.js';
import { parseListen } from '../../src/http/listen.js';
import { HealthchecksTarget } from '../../src/push/healthchecks.js';
import { UptimeKumaTarget } from '../../src/push/uptime-kuma.js';
import { worstCaseCycleMs } from '../../src/run/bounds.js';
import { loadManifests, manifestFiles, MANIFESTS_DIR, type KubeObject } from '../helpers/kubernetes-manifests.js';
import { projectRoot } from '../helpers/project-root.js';

const ROOT = projectRoot();
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const manifests = loadManifests();
const kustomization = parse(read('deploy/kubernetes/kustomization.yaml'), { version: '1.1' }) as KubeObject & { resources: string[]; namespace: string; images: { name: string; newName?: string; newTag: string }[] };
const containerfile = read('Containerfile');
const guide = read('docs/kubernetes.md');
const version = (JSON.parse(read('package.json')) as { version: string }).version;

/** The one object of a kind; the rules below are written for exactly one of each. */
function one(kind: string): KubeObject {
  const found = manifests.filter((m) => m.object.kind === kind);
  assert.equal(found.length, 1, `deploy/kubernetes/ should hold one ${kind}, holds ${found.length}`);
  return found[0]!.object;
}
const deployment = one('Deployment');
const cronjob = one('CronJob');
const service = one('Service');
const serviceMonitor = one('ServiceMonitor');
const configMap = one('ConfigMap');
const namespace = one('Namespace');

/** The pods, by the workload they belong to. */
const pods: { owner: string; spec: KubeObject; labels: Record<string, string> }[] = [
  { owner: 'Deployment', spec: deployment.spec.template.spec, labels: deployment.spec.template.metadata.labels },
  { owner: 'CronJob', spec: cronjob.spec.jobTemplate.spec.template.spec, labels: cronjob.spec.jobTemplate.spec.template.metadata.labels },
];
const containersOf = (pod: KubeObject): KubeObject[] => [...(pod.initContainers ?? []), ...pod.containers];

/** What the image says: its user, where it reads the config, where restic keeps its cache. */
function imageFact(pattern: RegExp, what: string): string {
  const match = pattern.exec(containerfile);
  assert.ok(match, `Containerfile: cannot find ${what}`);
  return match[1]!;
}
const imageUid = Number(imageFact(/useradd --uid (\d+)/, 'the user id (useradd --uid)'));
const configPath = imageFact(/\bRESTIC_MONITOR_CONFIG=(\S+)/, 'RESTIC_MONITOR_CONFIG');
const resticCacheDir = imageFact(/\bRESTIC_CACHE_DIR=(\S+)/, 'RESTIC_CACHE_DIR');

/** The environment file docs/kubernetes.md has the reader write (`cat > env <<'EOF'`). */
function guideEnv(): Record<string, string> {
  const match = /^cat > env <<'EOF'\n([\s\S]*?)\nEOF$/m.exec(guide);
  assert.ok(match, "docs/kubernetes.md: no `cat > env <<'EOF'` block");
  return parseEnvFile(match[1]!, 'docs/kubernetes.md');
}

/** The guide's `kubectl create secret generic NAME --from-file=KEY=./env`. */
function guideSecret(): { name: string; key: string } {
  const match = /kubectl(?: -n \S+)? create secret generic (\S+) --from-file=([^=\s]+)=\.\/env/.exec(guide);
  assert.ok(match, 'docs/kubernetes.md: no `kubectl create secret generic NAME --from-file=KEY=./env`');
  return { name: match[1]!, key: match[2]! };
}

const configText = (): string => {
  const key = basename(configPath);
  assert.equal(typeof configMap.data?.[key], 'string', `configmap.yaml: no data key "${key}" (the image reads ${configPath})`);
  return configMap.data[key] as string;
};
const config = () => parseConfig(configText(), guideEnv(), { defaultConcurrency: 1 });

/** A container port by number or by name. */
function portOf(container: KubeObject, port: number | string): number | undefined {
  if (typeof port === 'number') return port;
  return (container.ports ?? []).find((p: KubeObject) => p.name === port)?.containerPort;
}

/** Bytes of a memory quantity (128Mi, 1Gi, 500M); CPU cores of a CPU quantity (100m, 2). */
function mebibytes(quantity: string): number {
  const match = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|K|M|G)?$/.exec(String(quantity));
  assert.ok(match, `not a memory quantity: ${quantity}`);
  const factor: Record<string, number> = { Ki: 1 / 1024, Mi: 1, Gi: 1024, K: 1e3 / 2 ** 20, M: 1e6 / 2 ** 20, G: 1e9 / 2 ** 20 };
  return Number(match[1]) * (match[2] ? factor[match[2]]! : 1 / 2 ** 20);
}
function cores(quantity: string | number): number {
  const text = String(quantity);
  return text.endsWith('m') ? Number(text.slice(0, -1)) / 1000 : Number(text);
}

/** Peak RSS figures from bench/RESULTS.md, in MiB. */
function benchPeaks(): { daemon: number; run: number; restic: number; node: number } {
  const results = read('bench/RESULTS.md');
  const daemon = /^\|[^|\n]*MiB after[^|\n]*\|\s*([\d.]+) MiB\s*\|/m.exec(results);
  assert.ok(daemon, 'bench/RESULTS.md: no daemon memory row (case 5: "RSS by completed cycles | Peak RSS")');
  const rows = results.split('\n').map((line) => line.split('|').map((cell) => cell.trim()));
  // | Case | Command | Wall median | Wall min–max | Peak RSS median | ...
  const peak = (command: RegExp) => Math.max(...rows.filter((cells) => command.test(cells[2] ?? '')).map((cells) => Number(cells[5])));
  const run = peak(/^(restic-monitor|bundle:) run\b/);
  const restic = peak(/^baseline: shell for loop$/);
  const node = peak(/^node -e 0$/);
  assert.ok(run > 0 && restic > 0 && node > 0, 'bench/RESULTS.md: no peak RSS for `run`, the restic baseline or `node -e 0`');
  return { daemon: Number(daemon[1]), run, restic, node };
}

test('every object in deploy/kubernetes/ passes its kind’s OpenAPI schema', () => {
  const models: Record<string, new (data: never) => { validate(): void }> = {
    'v1/Namespace': Namespace,
    'v1/ConfigMap': ConfigMap,
    'v1/Service': Service,
    'apps/v1/Deployment': Deployment,
    'batch/v1/CronJob': CronJob,
    'monitoring.coreos.com/v1/ServiceMonitor': ServiceMonitor,
  };
  assert.ok(manifests.length >= 6, `only ${manifests.length} objects found in ${MANIFESTS_DIR}`);
  for (const { file, object } of manifests) {
    const Model = models[`${object.apiVersion}/${object.kind}`];
    assert.ok(Model, `${file}: ${object.apiVersion} ${object.kind} has no schema here (add its model to this test)`);
    try {
      new Model(object as never).validate();
    } catch (error) {
      assert.fail(`${file} (${object.kind} ${object.metadata?.name}): ${(error as Error).message}`);
    }
  }
});

test('kustomization.yaml lists every manifest but cronjob.yaml (the one-shot alternative, applied alone), and sets the same namespace and image tag', () => {
  const expected = manifestFiles().filter((name) => name !== 'kustomization.yaml' && name !== 'cronjob.yaml');
  assert.deepEqual([...kustomization.resources].sort(), expected, 'kustomization.yaml resources');
  assert.equal(kustomization.namespace, namespace.metadata.name);
  assert.ok(/kubectl apply(?: -f \S+)* -f \S*cronjob\.yaml/.test(guide), 'docs/kubernetes.md must show how cronjob.yaml is applied on its own');
  const image = deployment.spec.template.spec.containers[0].image as string;
  const entry = kustomization.images.find((i) => i.name === image.split(':')[0]);
  assert.ok(entry, `kustomization.yaml: no images entry for ${image}`);
  assert.equal(entry.newTag, version, 'kustomization.yaml images: newTag is the package version');
});

test('every object lives in the one namespace, and the namespace enforces the restricted Pod Security profile', () => {
  for (const { file, object } of manifests) {
    if (object.kind !== 'Namespace') assert.equal(object.metadata.namespace, namespace.metadata.name, `${file}: metadata.namespace`);
  }
  assert.equal(namespace.metadata.labels?.['pod-security.kubernetes.io/enforce'], 'restricted');
});

test('pods and containers: non-root uid of the image, read-only root, no escalation, no capabilities, RuntimeDefault seccomp', () => {
  for (const { owner, spec } of pods) {
    const where = `${owner} pod`;
    const pod = spec.securityContext ?? {};
    assert.equal(pod.runAsNonRoot, true, `${where}: securityContext.runAsNonRoot`);
    assert.equal(pod.runAsUser, imageUid, `${where}: securityContext.runAsUser is the image's user (Containerfile)`);
    assert.equal(pod.seccompProfile?.type, 'RuntimeDefault', `${where}: securityContext.seccompProfile.type`);
    for (const flag of ['hostNetwork', 'hostPID', 'hostIPC']) assert.notEqual(spec[flag], true, `${where}: ${flag}`);
    assert.equal(spec.automountServiceAccountToken, false, `${where}: automountServiceAccountToken (it never talks to the API)`);
    assert.equal(spec.enableServiceLinks, false, `${where}: enableServiceLinks (RESTIC_MONITOR_* Service variables would reach restic)`);
    for (const volume of spec.volumes ?? []) assert.equal(volume.hostPath, undefined, `${where}: volume ${volume.name} is a hostPath`);
    for (const container of containersOf(spec)) {
      const at = `${owner} container ${container.name}`;
      const own = container.securityContext ?? {};
      assert.equal(own.allowPrivilegeEscalation, false, `${at}: securityContext.allowPrivilegeEscalation`);
      assert.equal(own.readOnlyRootFilesystem, true, `${at}: securityContext.readOnlyRootFilesystem`);
      assert.deepEqual(own.capabilities?.drop, ['ALL'], `${at}: securityContext.capabilities.drop`);
      assert.equal(own.capabilities?.add, undefined, `${at}: securityContext.capabilities.add`);
      assert.notEqual(own.privileged, true, `${at}: securityContext.privileged`);
      assert.notEqual(own.runAsNonRoot, false, `${at}: securityContext.runAsNonRoot`);
      assert.notEqual(own.runAsUser, 0, `${at}: securityContext.runAsUser`);
      if (own.seccompProfile) assert.equal(own.seccompProfile.type, 'RuntimeDefault', `${at}: securityContext.seccompProfile.type`);
    }
  }
});

test('with a read-only root, the places the monitor writes are emptyDirs: restic’s cache (the image’s RESTIC_CACHE_DIR) and /tmp (integrity checks’ caches)', () => {
  for (const { owner, spec } of pods) {
    for (const container of spec.containers) {
      for (const path of [resticCacheDir, '/tmp']) {
        const mount = (container.volumeMounts ?? []).find((m: KubeObject) => m.mountPath === path);
        assert.ok(mount, `${owner} container ${container.name}: nothing writable mounted at ${path}`);
        assert.notEqual(mount.readOnly, true, `${owner}: ${path} is mounted read-only`);
        const volume = spec.volumes.find((v: KubeObject) => v.name === mount.name);
        assert.ok(volume?.emptyDir, `${owner}: ${path} should be an emptyDir (volume ${mount.name})`);
      }
    }
  }
});

test('the image runs as built: tini stays PID 1, the daemon runs `daemon` and the CronJob `run`; the tag is the version, pulled if not present', () => {
  const expected: Record<string, string[]> = { Deployment: ['daemon'], CronJob: ['run'] };
  for (const { owner, spec } of pods) {
    for (const container of containersOf(spec)) {
      assert.equal(container.command, undefined, `${owner}: command replaces the image's ENTRYPOINT (tini, which reaps what a killed restic leaves)`);
      assert.deepEqual(container.args, expected[owner], `${owner}: args`);
      const [name, tag] = String(container.image).split(':');
      assert.ok(name && tag, `${owner}: image ${container.image} has no tag`);
      assert.equal(tag, version, `${owner}: image tag is the package version (${version}), not "${tag}"`);
      assert.equal(container.imagePullPolicy, 'IfNotPresent', `${owner}: imagePullPolicy`);
    }
  }
});

test('the config is a ConfigMap mounted where the image reads it; the secrets are the Secret the guide makes, mounted as RESTIC_MONITOR_ENV_FILE, never environment variables', () => {
  const secret = guideSecret();
  const envValues = Object.values(guideEnv());
  for (const { owner, spec } of pods) {
    for (const container of spec.containers) {
      const at = `${owner} container ${container.name}`;
      const mountAt = (path: string) => (container.volumeMounts ?? []).find((m: KubeObject) => m.mountPath === path);
      const volumeOf = (mount: KubeObject) => spec.volumes.find((v: KubeObject) => v.name === mount.name);

      const configMount = mountAt(dirname(configPath));
      assert.ok(configMount, `${at}: nothing mounted at ${dirname(configPath)} (the image reads ${configPath})`);
      assert.equal(configMount.subPath, undefined, `${at}: a subPath mount never sees a ConfigMap update`);
      assert.equal(volumeOf(configMount)?.configMap?.name, configMap.metadata.name, `${at}: ${dirname(configPath)} is the ConfigMap ${configMap.metadata.name}`);

      assert.equal(container.envFrom, undefined, `${at}: envFrom`);
      for (const variable of container.env ?? []) {
        assert.equal(variable.valueFrom?.secretKeyRef, undefined, `${at}: env ${variable.name} comes from a Secret: secrets go in the env file`);
        assert.ok(!envValues.includes(variable.value), `${at}: env ${variable.name} holds a value of the env file`);
      }
      const envFile = (container.env ?? []).find((v: KubeObject) => v.name === 'RESTIC_MONITOR_ENV_FILE')?.value as string | undefined;
      assert.ok(envFile, `${at}: no RESTIC_MONITOR_ENV_FILE`);
      const secretMount = mountAt(dirname(envFile));
      assert.ok(secretMount, `${at}: nothing mounted at ${dirname(envFile)} for RESTIC_MONITOR_ENV_FILE=${envFile}`);
      assert.equal(secretMount.readOnly, true, `${at}: the Secret's mount is read-only`);
      assert.equal(secretMount.subPath, undefined, `${at}: the Secret's mount has no subPath`);
      const volume = volumeOf(secretMount)?.secret;
      assert.ok(volume, `${at}: ${dirname(envFile)} is not a Secret volume`);
      assert.equal(volume.secretName, secret.name, `${at}: the Secret is the one docs/kubernetes.md makes`);
      assert.deepEqual(volume.items, [{ key: secret.key, path: basename(envFile) }], `${at}: the Secret's key "${secret.key}" (--from-file=${secret.key}=./env) becomes ${envFile}`);
      const mode = volume.defaultMode as number;
      assert.equal(mode & 0o007, 0, `${at}: the env file is readable by every user (defaultMode ${mode.toString(8)})`);
      assert.ok(mode & 0o040 && spec.securityContext.fsGroup === spec.securityContext.runAsGroup, `${at}: uid ${imageUid} reads the env file through its group (defaultMode 0440, fsGroup = runAsGroup)`);
    }
  }
  for (const { object, file } of manifests) assert.notEqual(object.kind, 'Secret', `${file}: a Secret in the manifests would overwrite the one made from ./env`);
});

test('the ConfigMap’s config passes the monitor’s own parser with the guide’s env file, and holds no secret itself', () => {
  const text = configText();
  const env = guideEnv();
  const referenced = [...text.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g)].map((m) => m[1]!);
  assert.ok(referenced.length > 0, 'the config refers to no ${NAME}: where do its tokens come from?');
  for (const name of referenced) assert.ok(name in env, `configmap.yaml refers to \${${name}}, which the guide's env file does not set`);
  config();
  // Each name set to a value of its own: a secret the parser finds that is none of them was
  // written into the ConfigMap itself.
  const canaries = Object.fromEntries(Object.keys(env).map((name) => [name, `canary-${name}-0123456789abcdef`]));
  const values = Object.values(canaries);
  for (const secret of parseConfig(text, canaries, { defaultConcurrency: 1 }).secrets) {
    assert.ok(values.includes(secret), 'configmap.yaml holds a secret in plain text: put it in the env file and write ${NAME}');
  }
  assert.ok(/^concurrency: \d+$/m.test(text), 'configmap.yaml: set concurrency (a pod sees its node’s CPUs, not its limit)');
});

test('the probes ask /healthz on the port the config’s `listen` opens, on the pod’s address; the Service and the ServiceMonitor reach it there', () => {
  const listen = parseListen(config().listen ?? '');
  assert.ok(typeof listen !== 'string', `configmap.yaml: listen: ${String(listen)}`);
  assert.ok(['0.0.0.0', '::'].includes(listen.host), `configmap.yaml: listen on ${listen.host} is out of the kubelet's and the Service's reach`);
  const container = deployment.spec.template.spec.containers[0];
  for (const kind of ['livenessProbe', 'readinessProbe']) {
    const probe = container[kind]?.httpGet;
    assert.ok(probe, `Deployment: no ${kind}.httpGet`);
    assert.equal(probe.path, '/healthz', `Deployment: ${kind} path`);
    assert.equal(portOf(container, probe.port), listen.port, `Deployment: ${kind} port ${probe.port} is the config's listen port ${listen.port}`);
  }
  for (const port of service.spec.ports) assert.equal(portOf(container, port.targetPort), listen.port, `Service port ${port.name}: targetPort ${port.targetPort}`);
  const names = service.spec.ports.map((p: KubeObject) => p.name);
  for (const endpoint of serviceMonitor.spec.endpoints) {
    assert.ok(names.includes(endpoint.port), `ServiceMonitor: port ${endpoint.port} is no port of the Service (${names.join(', ')})`);
    assert.equal(endpoint.path, '/metrics');
  }
});

test('labels: the Service selects the daemon’s pods and not the CronJob’s; the ServiceMonitor selects the Service', () => {
  const selector = deployment.spec.selector.matchLabels as Record<string, string>;
  const within = (wanted: Record<string, string>, labels: Record<string, string> | undefined) => Object.entries(wanted).every(([k, v]) => labels?.[k] === v);
  assert.ok(within(selector, deployment.spec.template.metadata.labels), 'Deployment: the selector does not match its own pods');
  assert.deepEqual(service.spec.selector, selector, 'Service: selector is the Deployment’s');
  assert.ok(!within(service.spec.selector, pods[1]!.labels), 'Service: it would select the CronJob’s pods too');
  assert.ok(within(serviceMonitor.spec.selector.matchLabels, service.metadata.labels), 'ServiceMonitor: its selector does not match the Service’s labels');
  assert.equal(serviceMonitor.spec.namespaceSelector, undefined, 'ServiceMonitor: looks in its own namespace');
});

test('SIGTERM grace: each pod’s terminationGracePeriodSeconds is the monitor’s stated clean-stop bound (CLEAN_STOP_BOUND_MS)', () => {
  assert.ok(read('docs/daemon.md').includes(`always under ${CLEAN_STOP_BOUND_MS / 1000} s (\`CLEAN_STOP_BOUND_MS\``), 'docs/daemon.md ("Signals") states another stop bound than CLEAN_STOP_BOUND_MS');
  for (const { owner, spec } of pods) {
    assert.equal(spec.terminationGracePeriodSeconds, Math.ceil(CLEAN_STOP_BOUND_MS / 1000), `${owner}: terminationGracePeriodSeconds`);
  }
});

test('the daemon: one replica, replaced by Recreate (never two pushing at once)', () => {
  assert.equal(deployment.spec.replicas, 1);
  assert.equal(deployment.spec.strategy?.type, 'Recreate');
});

test('the CronJob: no overlap, no retry of a run that ran, and a deadline no shorter than the documented bound of a run of this config', () => {
  const job = cronjob.spec.jobTemplate.spec;
  assert.equal(cronjob.spec.concurrencyPolicy, 'Forbid');
  assert.equal(job.backoffLimit, 0, 'exit 1 already pushed its beats, exit 2 is a config error: neither is worth a retry');
  assert.equal(job.template.spec.restartPolicy, 'Never');
  const parsed = config();
  const targets = [new UptimeKumaTarget(), new HealthchecksTarget()];
  const cycle = Math.max(...parsed.checks.map((check) => worstCaseCycleMs(check, targets)));
  // Checks take turns for `concurrency` slots; each turn ends within one worst-case cycle.
  const bound = Math.ceil(parsed.checks.length / parsed.concurrency) * cycle;
  assert.ok(job.activeDeadlineSeconds * 1000 >= bound, `activeDeadlineSeconds ${job.activeDeadlineSeconds} would stop a run that may take ${Math.ceil(bound / 1000)} s`);
});

test('resources: requests hold the measured peaks (bench/RESULTS.md); limits hold them plus a restic or a key derivation in each of `concurrency` slots', () => {
  const peaks = benchPeaks();
  const { concurrency } = config();
  // Each check slot runs restic, or the built-in reader's key derivation: a Node process of
  // its own (scrypt-process.ts) whose scrypt takes 128·N·r, 64 MiB at N=65536, r=8.
  const SCRYPT_MIB = 64;
  const slot = Math.max(peaks.restic, peaks.node + SCRYPT_MIB);
  const floors: Record<string, number> = { Deployment: peaks.daemon, CronJob: peaks.run };
  for (const { owner, spec } of pods) {
    for (const container of spec.containers) {
      const { requests, limits } = container.resources ?? {};
      assert.ok(requests?.memory && requests?.cpu && limits?.memory && limits?.cpu, `${owner}: requests and limits for cpu and memory`);
      assert.ok(mebibytes(requests.memory) >= floors[owner]!, `${owner}: memory request ${requests.memory} is below the measured peak ${floors[owner]} MiB`);
      const need = floors[owner]! + concurrency * slot;
      assert.ok(mebibytes(limits.memory) >= need, `${owner}: memory limit ${limits.memory} is below ${need.toFixed(0)} MiB`);
      assert.ok(cores(limits.cpu) >= concurrency, `${owner}: cpu limit ${limits.cpu} is below concurrency ${concurrency}`);
    }
  }
});
