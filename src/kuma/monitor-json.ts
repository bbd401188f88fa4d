import type { KumaMonitor, KumaTag } from './api.js';

/**
 * Pure: one entry of Kuma's `monitorList` as sync reads it, or undefined for an entry that
 * is not a monitor. Kuma 1 and 2 list the same names; booleans may come as 0/1 from SQLite.
 */
export function monitorFromList(raw: unknown): KumaMonitor | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
  const entry = raw as Record<string, unknown>;
  if (typeof entry.id !== 'number') return undefined;
  return {
    id: entry.id,
    name: typeof entry.name === 'string' ? entry.name : '',
    type: typeof entry.type === 'string' ? entry.type : '',
    pushToken: typeof entry.pushToken === 'string' ? entry.pushToken : '',
    interval: numberOr(entry.interval, 0),
    retryInterval: numberOr(entry.retryInterval, 0),
    maxretries: numberOr(entry.maxretries, 0),
    active: entry.active === true || entry.active === 1,
    tags: Array.isArray(entry.tags)
      ? entry.tags.flatMap((tag: unknown) => {
          const { tag_id: tagId, name, value } = (tag ?? {}) as { tag_id?: unknown; name?: unknown; value?: unknown };
          return typeof tagId === 'number' && typeof name === 'string' ? [{ tagId, name, value: typeof value === 'string' ? value : '' }] : [];
        })
      : [],
    raw: entry,
  };
}

/** Pure: the tags of a `getTags` answer (or one `addTag` answer's tag, in a list). */
export function tagsFromList(list: unknown): KumaTag[] {
  if (!Array.isArray(list)) return [];
  return list.flatMap((tag: unknown) => {
    const { id, name } = (tag ?? {}) as { id?: unknown; name?: unknown };
    return typeof id === 'number' && typeof name === 'string' ? [{ id, name }] : [];
  });
}

function numberOr(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}
