import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';

/** What one page load in a real headless Chromium showed. */
export interface PageLoad<T> {
  /** The value of `expression`, evaluated once the page fired its load event. */
  value: T;
  /** Every URL the page asked for, the document included, in order. */
  requests: string[];
  /** alert/confirm/prompt dialogs the page opened: script ran. */
  dialogs: string[];
  /** Console messages, uncaught exceptions and browser log entries (CSP violations land here). */
  console: string[];
  /** From starting Chromium to its exit. */
  ms: number;
}

interface Message {
  id?: number;
  method?: string;
  params?: Record<string, any>;
  result?: Record<string, any>;
  error?: { message: string };
  sessionId?: string;
}

const MISSING = "chromium not found: install Debian's chromium package (bash scripts/ensure-deps.sh chromium)";

/**
 * Loads `url` once in headless Chromium, driven over the DevTools protocol on a pipe (fds 3
 * and 4: no port, nothing another process can connect to), and evaluates `expression` in the
 * page. Background networking is off, so every request seen is the page's own. The whole
 * load is bounded by `timeoutMs`: Chromium is killed and the promise rejects after it.
 */
export async function loadPage<T>(url: string, expression: string, timeoutMs = 30_000): Promise<PageLoad<T>> {
  const started = Date.now();
  const profile = await mkdtemp(join(tmpdir(), 'rm-chromium-'));
  const child = spawn(
    'chromium',
    [
      '--headless',
      // Tests run as root in CI containers, where Chromium's sandbox cannot start; the page
      // comes from our own daemon on 127.0.0.1.
      '--no-sandbox',
      '--disable-gpu',
      '--remote-debugging-pipe',
      `--user-data-dir=${profile}`,
      '--no-first-run',
      '--no-default-browser-check',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-extensions',
      '--mute-audio',
      'about:blank',
    ],
    { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr = (stderr + chunk).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const failure = new Promise<never>((_resolve, reject) => {
    child.once('error', (error: NodeJS.ErrnoException) => reject(error.code === 'ENOENT' ? new Error(MISSING) : error));
    child.once('exit', (code, signal) => reject(new Error(`chromium exited early (${code ?? signal}):\n${stderr}`)));
  });
  failure.catch(() => {});
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`the page load took over ${timeoutMs} ms`)), timeoutMs);
  });

  try {
    await Promise.race([new Promise((resolve) => child.once('spawn', resolve)), failure]);
  } catch (error) {
    clearTimeout(timer);
    await rm(profile, { recursive: true, force: true });
    throw error;
  }
  const writer = child.stdio[3] as Writable;
  const reader = child.stdio[4] as Readable;
  const pending = new Map<number, { resolve: (result: any) => void; reject: (error: Error) => void }>();
  const listeners: Array<(message: Message) => void> = [];
  let buffer = '';
  reader.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    let end: number;
    while ((end = buffer.indexOf('\0')) >= 0) {
      const message = JSON.parse(buffer.slice(0, end)) as Message;
      buffer = buffer.slice(end + 1);
      if (message.id !== undefined) {
        const waiter = pending.get(message.id);
        pending.delete(message.id);
        if (message.error) waiter?.reject(new Error(message.error.message));
        else waiter?.resolve(message.result);
      } else for (const listener of listeners) listener(message);
    }
  });
  let nextId = 1;
  const send = (method: string, params: object = {}, sessionId?: string): Promise<any> => {
    const id = nextId++;
    writer.write(`${JSON.stringify({ id, method, params, ...(sessionId && { sessionId }) })}\0`);
    return Promise.race([new Promise((resolve, reject) => pending.set(id, { resolve, reject })), failure, timeout]);
  };

  const requests: string[] = [];
  const dialogs: string[] = [];
  const consoleLines: string[] = [];
  try {
    const { targetId } = await send('Target.createTarget', { url: 'about:blank' });
    const { sessionId } = await send('Target.attachToTarget', { targetId, flatten: true });
    let loaderId: string | undefined;
    let loadedResolve!: () => void;
    const loaded = new Promise<void>((resolve) => (loadedResolve = resolve));
    listeners.push((message) => {
      if (message.sessionId !== sessionId) return;
      const params = message.params ?? {};
      if (message.method === 'Network.requestWillBeSent') requests.push(params.request.url);
      if (message.method === 'Page.javascriptDialogOpening') {
        dialogs.push(params.message);
        void send('Page.handleJavaScriptDialog', { accept: true }, sessionId).catch(() => {});
      }
      if (message.method === 'Runtime.consoleAPICalled') consoleLines.push(`${params.type}: ${params.args.map((arg: any) => arg.value ?? arg.description).join(' ')}`);
      if (message.method === 'Runtime.exceptionThrown') consoleLines.push(`exception: ${params.exceptionDetails.exception?.description ?? params.exceptionDetails.text}`);
      if (message.method === 'Log.entryAdded') consoleLines.push(`${params.entry.level} (${params.entry.source}): ${params.entry.text}`);
      if (message.method === 'Page.lifecycleEvent' && params.name === 'load' && params.loaderId === loaderId) loadedResolve();
    });
    for (const domain of ['Page', 'Runtime', 'Network', 'Log']) await send(`${domain}.enable`, {}, sessionId);
    await send('Page.setLifecycleEventsEnabled', { enabled: true }, sessionId);
    const navigation = await send('Page.navigate', { url }, sessionId);
    if (navigation.errorText) throw new Error(`navigation to ${url} failed: ${navigation.errorText}`);
    loaderId = navigation.loaderId;
    await Promise.race([loaded, failure, timeout]);
    const evaluation = await send('Runtime.evaluate', { expression, returnByValue: true }, sessionId);
    if (evaluation.exceptionDetails) throw new Error(`evaluation failed: ${evaluation.exceptionDetails.exception?.description ?? evaluation.exceptionDetails.text}`);
    await send('Browser.close').catch(() => {});
    // Bounded: a Chromium that does not exit after Browser.close is killed.
    const kill = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(kill);
    return { value: evaluation.result.value as T, requests, dialogs, console: consoleLines, ms: Date.now() - started };
  } finally {
    clearTimeout(timer);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
    await rm(profile, { recursive: true, force: true });
  }
}
