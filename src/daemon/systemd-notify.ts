import { runProcess, SpawnError, type RunProcess } from '../process/run-process.js';
import { formatDuration } from '../duration.js';

/** systemd-notify gives up by itself after 5 s of waiting for systemd; this bounds one that hangs. */
export const NOTIFY_TIMEOUT_MS = 10_000;

export interface NotifyOptions {
  env: Readonly<Record<string, string | undefined>>;
  /** The daemon's stop: a notify still running is ended with it. */
  signal?: AbortSignal;
  /** Injected in tests: the program and how it is run. */
  command?: string;
  run?: RunProcess;
  timeoutMs?: number;
}

/**
 * Tells systemd that the daemon is ready (READY=1) when it runs in a `Type=notify` unit, which
 * sets NOTIFY_SOCKET; anywhere else it does nothing. Node cannot send a datagram on a unix
 * socket, so `systemd-notify --ready` sends it, as a child of the daemon: the unit needs
 * `NotifyAccess=all`. It waits until systemd has read the message (systemd can only tell
 * which unit a message is from while its sender lives), so it is run in the background,
 * bounded, and only NOTIFY_SOCKET and PATH are passed to it.
 * Resolves with why READY=1 could not be sent, or undefined; never rejects.
 */
export async function notifyReady(options: NotifyOptions): Promise<string | undefined> {
  const socket = options.env.NOTIFY_SOCKET;
  if (!socket) return undefined;
  const command = options.command ?? 'systemd-notify';
  const timeoutMs = options.timeoutMs ?? NOTIFY_TIMEOUT_MS;
  const env: NodeJS.ProcessEnv = { NOTIFY_SOCKET: socket, ...(options.env.PATH !== undefined && { PATH: options.env.PATH }) };
  try {
    const result = await (options.run ?? runProcess)(command, ['--ready'], { env, timeoutMs, stderrTailBytes: 1024, ...(options.signal && { signal: options.signal }) });
    if (result.timedOut) return `${command} --ready did not end within ${formatDuration(timeoutMs)}`;
    if (result.aborted) return undefined; // the daemon is stopping: nothing left to tell
    if (result.code === 0) return undefined;
    const said = result.stderrTail.trim().split('\n').at(-1);
    return `${command} --ready failed (${result.code === null ? `signal ${result.signal}` : `exit ${result.code}`})${said ? `: ${said}` : ''}`;
  } catch (error) {
    if (error instanceof SpawnError) return error.code === 'ENOENT' ? `no "${command}" on PATH` : `cannot start ${command} (${error.code})`;
    return (error as Error).message;
  }
}
