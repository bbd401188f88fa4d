import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { projectRoot } from './project-root.js';

/** deploy/kubernetes/, where the manifests and their kustomization live. */
export const MANIFESTS_DIR = join(projectRoot(), 'deploy', 'kubernetes');

/** The parts of a Kubernetes object the tests read by name; the rest stays untyped. */
export type KubeObject = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> }; [field: string]: any };

export interface Manifest {
  file: string;
  object: KubeObject;
}

/**
 * Kubernetes reads YAML 1.1, as kubectl does: there `defaultMode: 0440` is octal (288),
 * where YAML 1.2 (the yaml package's default) reads 440.
 */
export function parseManifests(text: string, file: string): Manifest[] {
  return parseAllDocuments(text, { version: '1.1', uniqueKeys: true }).flatMap((doc) => {
    if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0]!.message}`);
    const object = doc.toJS() as KubeObject | null;
    return object === null ? [] : [{ file, object }];
  });
}

/** The YAML files of deploy/kubernetes/, sorted. */
export function manifestFiles(dir = MANIFESTS_DIR): string[] {
  return readdirSync(dir)
    .filter((name) => /\.ya?ml$/.test(name))
    .sort();
}

/** Every object in every YAML file but the kustomization. */
export function loadManifests(dir = MANIFESTS_DIR): Manifest[] {
  return manifestFiles(dir)
    .filter((name) => name !== 'kustomization.yaml')
    .flatMap((name) => parseManifests(readFileSync(join(dir, name), 'utf8'), name));
}
