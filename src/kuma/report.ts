import { formatDuration } from '../duration.js';
import type { ManagedFields } from './api.js';
import type { Step } from './plan.js';
import type { StepOutcome } from './sync.js';

/** Pure: one line per step, then a count; tokens are never shown, only that one changes. */
export function formatSync(outcomes: readonly StepOutcome[], options: { dryRun: boolean; tag: string }): string {
  const width = Math.max(0, ...outcomes.map(({ step }) => subjectOf(step).length));
  const lines = outcomes.map(({ step, error }) => {
    const verb = error === undefined ? verbOf(step, options.dryRun) : 'FAILED';
    const detail = error === undefined ? detailOf(step, options.tag) : `${verbOf(step, true)}: ${error}`;
    return `${verb.padEnd(9)} ${subjectOf(step).padEnd(width)}  ${detail}`.trimEnd();
  });
  lines.push(syncSummary(outcomes, options.dryRun));
  return `${lines.join('\n')}\n`;
}

/** Whether anything is left for a person to do: a failure, a conflict, a duplicate. */
export function syncFailed(outcomes: readonly StepOutcome[]): boolean {
  return outcomes.some(({ step, error }) => error !== undefined || step.kind === 'conflict' || step.kind === 'duplicate' || (step.kind === 'orphan' && step.why === 'discovery-incomplete'));
}

function subjectOf(step: Step): string {
  switch (step.kind) {
    case 'create':
    case 'update':
    case 'unchanged':
    case 'resume':
    case 'conflict':
      return step.desired.check;
    case 'skipped':
      return step.skipped.check;
    default:
      return step.check;
  }
}

function verbOf(step: Step, planned: boolean): string {
  switch (step.kind) {
    case 'create':
      return planned ? 'create' : 'created';
    case 'update':
      return planned ? 'update' : 'updated';
    case 'resume':
      return planned ? 'resume' : 'resumed';
    case 'pause':
      return planned ? 'pause' : 'paused';
    case 'delete':
      return planned ? 'delete' : 'deleted';
    default:
      return step.kind;
  }
}

function detailOf(step: Step, tag: string): string {
  switch (step.kind) {
    case 'create':
      return `push monitor "${step.desired.name}", heartbeat interval ${formatDuration(step.desired.intervalSeconds * 1000, true)}${step.desired.capped ? ' (the most Kuma can wait)' : ''}`;
    case 'update':
      return `monitor ${step.monitor.id}: ${describeChanges(step.monitor, step.changes)}`;
    case 'unchanged':
      return `monitor ${step.monitor.id}`;
    case 'resume':
      return `monitor ${step.monitor.id}: paused in Kuma, which refuses its beats; its check is in the config`;
    case 'conflict':
      return `monitor ${step.monitor.id} "${step.monitor.name}" is not tagged ${tag}: not touched (to let sync manage it, give it the tag ${tag} with the value ${step.desired.check} in Kuma; or rename it)`;
    case 'duplicate':
      return `monitor ${step.monitor.id} is tagged ${tag}=${step.check} too: not touched (remove the tag, or the monitor, in Kuma)`;
    case 'skipped':
      return step.skipped.reason;
    case 'pause':
    case 'delete':
      return `monitor ${step.monitor.id} "${step.monitor.name}": its check is gone`;
    case 'orphan':
      if (step.why === 'already-paused') return `monitor ${step.monitor.id} "${step.monitor.name}": its check is gone; already paused`;
      if (step.why === 'discovery-incomplete') return `monitor ${step.monitor.id} "${step.monitor.name}": not found in the config, but a discover: location could not be listed: not pruned`;
      return `monitor ${step.monitor.id} "${step.monitor.name}": its check is gone (--prune pauses it)`;
  }
}

function describeChanges(before: ManagedFields, changes: Partial<ManagedFields>): string {
  const parts: string[] = [];
  if (changes.name !== undefined) parts.push(`name "${before.name}" -> "${changes.name}"`);
  if (changes.type !== undefined) parts.push(`type ${before.type} -> ${changes.type}`);
  if (changes.interval !== undefined) parts.push(`heartbeat interval ${seconds(before.interval)} -> ${seconds(changes.interval)}`);
  // Set with the interval to the same value, it needs no words of its own.
  if (changes.retryInterval !== undefined && changes.retryInterval !== changes.interval) parts.push(`retry interval ${seconds(before.retryInterval)} -> ${seconds(changes.retryInterval)}`);
  if (changes.maxretries !== undefined) parts.push(`retries ${before.maxretries} -> ${changes.maxretries}`);
  if (changes.pushToken !== undefined) parts.push('push token');
  return parts.join(', ');
}

function seconds(value: number): string {
  return formatDuration(value * 1000, true);
}

/** Pure: the count line, `in sync: 12 unchanged` or `2 created, 10 unchanged`. */
export function syncSummary(outcomes: readonly StepOutcome[], dryRun: boolean): string {
  const count = (test: (outcome: StepOutcome) => boolean) => outcomes.filter(test).length;
  const done = (kind: Step['kind']) => count(({ step, error }) => step.kind === kind && error === undefined);
  const changes = done('create') + done('update') + done('resume') + done('pause') + done('delete');
  const failed = count(({ error }) => error !== undefined);
  const problems = count(({ step }) => step.kind === 'conflict' || step.kind === 'duplicate');
  const parts: string[] = [];
  if (changes === 0 && failed === 0) parts.push(`in sync: ${done('unchanged')} unchanged`);
  else {
    const verbs: Array<[Step['kind'], string, string]> = [
      ['create', 'to create', 'created'],
      ['update', 'to update', 'updated'],
      ['resume', 'to resume', 'resumed'],
      ['pause', 'to pause', 'paused'],
      ['delete', 'to delete', 'deleted'],
      ['unchanged', 'unchanged', 'unchanged'],
    ];
    for (const [kind, planned, past] of verbs) if (done(kind) > 0) parts.push(`${done(kind)} ${dryRun ? planned : past}`);
  }
  if (failed > 0) parts.push(`${failed} failed`);
  if (problems > 0) parts.push(`${problems} to resolve in Kuma`);
  return `${parts.join(', ')}${dryRun ? ' (dry run: nothing was sent)' : ''}`;
}
