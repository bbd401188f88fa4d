import type { KumaMonitor, ManagedFields } from './api.js';
import type { DesiredMonitor, Skipped } from './desired.js';

export type PruneMode = 'off' | 'pause' | 'delete';

/** One step of a sync, in the order it is shown and done. */
export type Step =
  | { kind: 'create'; desired: DesiredMonitor }
  | { kind: 'update'; desired: DesiredMonitor; monitor: KumaMonitor; changes: Partial<ManagedFields> }
  | { kind: 'unchanged'; desired: DesiredMonitor; monitor: KumaMonitor }
  /** A paused monitor of a configured check: Kuma refuses its beats until it is resumed. */
  | { kind: 'resume'; desired: DesiredMonitor; monitor: KumaMonitor }
  /** A monitor of the wanted name that is not marked: never touched. */
  | { kind: 'conflict'; desired: DesiredMonitor; monitor: KumaMonitor }
  /** More than one marked monitor for one check: the first is kept in sync, the others reported. */
  | { kind: 'duplicate'; check: string; monitor: KumaMonitor }
  | { kind: 'skipped'; skipped: Skipped }
  /** A marked monitor whose check is gone. */
  | { kind: 'pause' | 'delete'; check: string; monitor: KumaMonitor }
  | { kind: 'orphan'; check: string; monitor: KumaMonitor; why: 'no-prune' | 'already-paused' | 'discovery-incomplete' };

export interface PlanInput {
  desired: readonly DesiredMonitor[];
  skipped: readonly Skipped[];
  monitors: readonly KumaMonitor[];
  tag: string;
  prune: PruneMode;
  /** A discover: location could not be listed: a monitor of a repository not found may still have one. */
  discoveryIncomplete: boolean;
  /** Only some checks were picked (--only): the others' monitors are not orphans. */
  partial?: boolean;
}

/**
 * Pure: what it takes to bring Kuma in line with the config. A monitor belongs to sync when
 * it carries the tag (its value names the check); sync never changes any other monitor.
 */
export function planSync(input: PlanInput): Step[] {
  const marked = new Map<string, KumaMonitor[]>();
  const unmarked: KumaMonitor[] = [];
  for (const monitor of [...input.monitors].sort((a, b) => a.id - b.id)) {
    const mark = monitor.tags.find((tag) => tag.name === input.tag);
    if (!mark) {
      unmarked.push(monitor);
      continue;
    }
    const list = marked.get(mark.value) ?? [];
    list.push(monitor);
    marked.set(mark.value, list);
  }
  const steps: Step[] = [];
  for (const desired of input.desired) {
    const [monitor, ...extra] = marked.get(desired.check) ?? [];
    if (!monitor) {
      const clash = unmarked.find((candidate) => candidate.name === desired.name);
      steps.push(clash ? { kind: 'conflict', desired, monitor: clash } : { kind: 'create', desired });
      continue;
    }
    const changes = changesFor(monitor, desired);
    if (Object.keys(changes).length > 0) steps.push({ kind: 'update', desired, monitor, changes });
    if (!monitor.active) steps.push({ kind: 'resume', desired, monitor });
    else if (Object.keys(changes).length === 0) steps.push({ kind: 'unchanged', desired, monitor });
    for (const other of extra) steps.push({ kind: 'duplicate', check: desired.check, monitor: other });
  }
  for (const skipped of input.skipped) steps.push({ kind: 'skipped', skipped });
  const known = new Set([...input.desired.map((desired) => desired.check), ...input.skipped.map((skipped) => skipped.check)]);
  for (const [check, monitors] of marked) {
    if (known.has(check) || input.partial) continue;
    for (const monitor of monitors) steps.push(pruneStep(check, monitor, input));
  }
  return steps;
}

/** The managed fields that differ, with the values they should have. */
export function changesFor(monitor: KumaMonitor, desired: DesiredMonitor): Partial<ManagedFields> {
  const wanted = managedFields(desired);
  const changes: Partial<ManagedFields> = {};
  for (const key of Object.keys(wanted) as (keyof ManagedFields)[]) {
    if (monitor[key] !== wanted[key]) (changes as Record<string, unknown>)[key] = wanted[key];
  }
  return changes;
}

/** A push monitor that turns down at the first down beat: Kuma's retries would hold it pending. */
export function managedFields(desired: DesiredMonitor): ManagedFields {
  return {
    name: desired.name,
    type: 'push',
    pushToken: desired.pushToken,
    interval: desired.intervalSeconds,
    retryInterval: desired.intervalSeconds,
    maxretries: 0,
  };
}

function pruneStep(check: string, monitor: KumaMonitor, input: PlanInput): Step {
  if (input.prune === 'off') return { kind: 'orphan', check, monitor, why: 'no-prune' };
  if (input.discoveryIncomplete) return { kind: 'orphan', check, monitor, why: 'discovery-incomplete' };
  if (input.prune === 'delete') return { kind: 'delete', check, monitor };
  return monitor.active ? { kind: 'pause', check, monitor } : { kind: 'orphan', check, monitor, why: 'already-paused' };
}
