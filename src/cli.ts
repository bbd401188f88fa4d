#!/usr/bin/env node
// The first lines of the program, and nothing is imported before them: until a process has
// a handler, a signal has its default effect, and SIGHUP's is death (restic left running).
// Signals that arrive while the rest loads are held here and handed over, in order, once the
// real handlers are in place (cli/start.ts). Only Node's own start-up, before this file runs,
// is left exposed (docs/daemon.md "Signals").
const held: NodeJS.Signals[] = [];
const hold = (signal: NodeJS.Signals): void => {
  held.push(signal);
};
for (const signal of ['SIGHUP', 'SIGTERM', 'SIGINT'] as const) process.on(signal, hold);

const { start } = await import('./cli/start.js');
start({ held, hold });
