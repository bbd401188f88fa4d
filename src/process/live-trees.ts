import { signalTree } from './process-tree.js';

interface Tree {
  /** Descendants seen so far: they may outlive the root (reparented) and must still be found. */
  known: Set<number>;
  /** The root exited: its PID may be reused, so only its known descendants are signalled. */
  rootGone: boolean;
}

/**
 * Every process tree started and not yet seen to end. The normal paths stop a tree through
 * its own timeout or abort; this registry is for the paths that cannot wait for that: a
 * second Ctrl-C or SIGTERM during the stop's grace period, or an exit no one planned. There,
 * `killAll` sends SIGKILL to what is left, synchronously, before the process is gone.
 */
export class LiveTrees {
  private readonly trees = new Map<number, Tree>();

  add(pid: number, known: Set<number>): void {
    this.trees.set(pid, { known, rootGone: false });
  }

  /** The root has exited; its descendants (if any were seen) may still run. */
  rootExited(pid: number): void {
    const tree = this.trees.get(pid);
    if (tree) tree.rootGone = true;
  }

  delete(pid: number): void {
    this.trees.delete(pid);
  }

  get size(): number {
    return this.trees.size;
  }

  /** SIGKILL to every live tree; returns how many trees there were. Safe in an 'exit' handler. */
  killAll(): number {
    const count = this.trees.size;
    for (const [pid, tree] of this.trees) {
      if (!tree.rootGone) signalTree(pid, 'SIGKILL', tree.known);
      else for (const other of tree.known) killQuietly(other);
    }
    this.trees.clear();
    return count;
  }
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** The one registry of this process: child processes are process-wide, like the PIDs. */
export const liveTrees = new LiveTrees();
