// No field Kubernetes does not know. The OpenAPI schemas (kubernetes.unit.test.ts) allow any
// extra field, so `terminationGracePeriodSecond: 10` would pass them, and a real API server
// would refuse it (kubectl's strict field validation). kubernetes-models' type declarations do
// know every field: each object is type-checked as an object literal of its kind's type, and
// TypeScript names a field its type lacks, at any depth (the first one of each object: fix it,
// and the next shows). Not a unit suite: the type check loads the declarations, a few seconds
// on a busy machine.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';
import { loadManifests, parseManifests, type Manifest } from '../helpers/kubernetes-manifests.js';
import { projectRoot } from '../helpers/project-root.js';

/** Where each kind's type is declared: `I<Kind>` in the module of that path. */
const DECLARED_IN: Record<string, string> = {
  'v1/Namespace': 'kubernetes-models/v1/Namespace',
  'v1/ConfigMap': 'kubernetes-models/v1/ConfigMap',
  'v1/Service': 'kubernetes-models/v1/Service',
  'apps/v1/Deployment': 'kubernetes-models/apps/v1/Deployment',
  'batch/v1/CronJob': 'kubernetes-models/batch/v1/CronJob',
  'monitoring.coreos.com/v1/ServiceMonitor': '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor',
};

/** The type checker's complaints about each object, as `file (Kind name): message`. */
function unknownFields(manifests: Manifest[]): string[] {
  const root = projectRoot();
  // Not written anywhere: the compiler host hands it over from memory.
  const virtual = join(root, '__kubernetes_fields__.ts');
  const spans: { start: number; end: number; label: string }[] = [];
  let text = '';
  manifests.forEach(({ file, object }, index) => {
    const module = DECLARED_IN[`${object.apiVersion}/${object.kind}`];
    assert.ok(module, `${file}: no type declared for ${object.apiVersion} ${object.kind} (add it to DECLARED_IN)`);
    text += `import type { I${object.kind} as T${index} } from '${module}';\n`;
  });
  manifests.forEach(({ file, object }, index) => {
    const start = text.length;
    text += `export const o${index}: T${index} = ${JSON.stringify(object, null, 1)};\n`;
    spans.push({ start, end: text.length, label: `${file} (${object.kind} ${object.metadata?.name})` });
  });
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
    lib: ['lib.es2022.d.ts'],
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
  };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  host.getSourceFile = (name, language, ...rest) => (name === virtual ? ts.createSourceFile(name, text, language) : getSourceFile(name, language, ...rest));
  host.fileExists = (name) => name === virtual || fileExists(name);
  const program = ts.createProgram([virtual], options, host);
  return ts.getPreEmitDiagnostics(program, program.getSourceFile(virtual)).map((diagnostic) => {
    const at = diagnostic.start ?? 0;
    const span = spans.find((s) => at >= s.start && at < s.end);
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n').split('\n')[0];
    return `${span?.label ?? 'imports'}: ${message}`;
  });
}

test('every field of every object in deploy/kubernetes/ is one its kind has', () => {
  const manifests = loadManifests();
  assert.ok(manifests.length >= 6);
  assert.deepEqual(unknownFields(manifests), []);
});

test('a misspelt field is caught, at any depth (the check itself)', () => {
  const deployment = (name: string, podSpec: string[]) =>
    ['apiVersion: apps/v1', 'kind: Deployment', `metadata: {name: ${name}}`, 'spec:', '  selector: {matchLabels: {a: b}}', '  template:', '    metadata: {labels: {a: b}}', '    spec:', ...podSpec.map((line) => `      ${line}`)].join('\n');
  const misspelt = parseManifests(
    [
      deployment('shallow', ['terminationGracePeriodSecond: 10', 'containers: [{name: c, image: i}]']),
      deployment('deep', ['containers:', '  - name: c', '    image: i', '    securityContext: {readOnlyRootFileSystem: true}']),
    ].join('\n---\n'),
    'misspelt.yaml',
  );
  assert.deepEqual(unknownFields(misspelt), [
    `misspelt.yaml (Deployment shallow): Object literal may only specify known properties, and '"terminationGracePeriodSecond"' does not exist in type 'IPodSpec'.`,
    `misspelt.yaml (Deployment deep): Object literal may only specify known properties, and '"readOnlyRootFileSystem"' does not exist in type 'ISecurityContext'.`,
  ]);
});
