import { KumaError, type KumaSession } from './api.js';
import { managedFields, type Step } from './plan.js';

/** The colour a new marking tag gets (Kuma's UI asks for one). */
export const TAG_COLOR = '#2563EB';

export interface StepOutcome {
  step: Step;
  /** Why the step could not be done; unset when it was (or needed nothing). */
  error?: string;
}

/**
 * Carries out a plan, one change at a time, in the plan's order. A failed change is
 * recorded and the others still go ahead; nothing is retried (a second `add` after a lost
 * answer could make a second monitor). A monitor that could not be tagged right after it
 * was created is deleted again: untagged, the next sync would take it for someone else's.
 */
export async function applyPlan(session: KumaSession, steps: readonly Step[], tag: string): Promise<StepOutcome[]> {
  const outcomes: StepOutcome[] = [];
  let tagId: number | undefined;
  const markingTag = async (): Promise<number> => {
    if (tagId !== undefined) return tagId;
    const existing = (await session.tags()).find((candidate) => candidate.name === tag);
    tagId = existing?.id ?? (await session.addTag(tag, TAG_COLOR)).id;
    return tagId;
  };
  const notifications = session.defaultNotificationIds();
  for (const step of steps) {
    try {
      switch (step.kind) {
        case 'create': {
          const id = await session.addMonitor({
            ...managedFields(step.desired),
            description: `Managed by restic-monitor (kuma sync): check ${step.desired.check}. Change it in the config.`,
            notificationIds: notifications,
          });
          try {
            await session.addMonitorTag(await markingTag(), id, step.desired.check);
          } catch (error) {
            await session.deleteMonitor(id).catch(() => undefined);
            throw error;
          }
          break;
        }
        case 'update':
          await session.editMonitor(step.monitor, step.changes);
          break;
        case 'resume':
          await session.resumeMonitor(step.monitor.id);
          break;
        case 'pause':
          await session.pauseMonitor(step.monitor.id);
          break;
        case 'delete':
          await session.deleteMonitor(step.monitor.id);
          break;
        default:
          break;
      }
      outcomes.push({ step });
    } catch (error) {
      if (!(error instanceof KumaError)) throw error;
      outcomes.push({ step, error: error.message });
    }
  }
  return outcomes;
}
