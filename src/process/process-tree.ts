import { readdirSync, readFileSync } from 'node:fs';

/**
 * Every descendant of `root`, found through /proc. restic starts rclone in a process group
 * of its own, so killing restic's group is not enough to stop everything it started.
 */
export function descendantsOf(root: number): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return []; // not Linux: the process group kill has to do
  }
  const children = new Map<number, number[]>();
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const parent = parentOf(entry);
    if (parent === undefined) continue;
    const list = children.get(parent) ?? [];
    list.push(Number(entry));
    children.set(parent, list);
  }
  const found: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    for (const child of children.get(queue.shift()!) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

function parentOf(pid: string): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses: parse after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[1]);
  } catch {
    return undefined; // exited while we looked
  }
}

/** Signals the process group of `pid` and every process below it; errors mean "already gone". */
export function signalTree(pid: number, signal: NodeJS.Signals, known: Set<number>): void {
  for (const descendant of descendantsOf(pid)) known.add(descendant);
  try {
    process.kill(-pid, signal);
  } catch {
    // group already gone
  }
  for (const other of known) {
    try {
      process.kill(other, signal);
    } catch {
      known.delete(other);
    }
  }
}
