import { io, type Socket } from 'socket.io-client';
import { KumaError, type KumaLogin, type KumaMonitor, type KumaSession, type KumaTag, type ManagedFields, type NewPushMonitor } from './api.js';
import { describeKumaMessage, isWrongCode } from './messages.js';
import { monitorFromList, tagsFromList } from './monitor-json.js';
import { totpCode } from './totp.js';
import { formatDuration } from '../duration.js';
import { connectionFailure } from '../checkers/network-errors.js';

type Answer = { ok?: boolean; msg?: string; tokenRequired?: boolean; monitorID?: unknown; tag?: unknown; tags?: unknown };

export interface SocketSessionDeps {
  now?: () => number;
}

/**
 * Logs in to Kuma over socket.io, as its web UI does. Kuma registers a connection's event
 * handlers only after it has sent `info`, so nothing is sent before `info` arrives; after
 * login it pushes the monitor and notification lists by itself, and the session keeps them.
 */
export async function openSocketSession(login: KumaLogin, deps: SocketSessionDeps = {}): Promise<KumaSession> {
  const now = deps.now ?? Date.now;
  const target = socketTarget(login.url);
  const socket = io(target.origin, {
    path: target.path,
    reconnection: false,
    timeout: login.timeoutMs,
    // As Kuma 1's own web UI connects. A failed WebSocket says why (refused, TLS, HTTP 404);
    // a failed long-poll only says "xhr poll error".
    transports: ['websocket'],
    // The session ends with sync: nothing may keep the process alive after it.
    autoConnect: true,
    forceNew: true,
  });
  const session = new SocketSession(socket, login, now);
  try {
    await session.start();
  } catch (error) {
    session.close();
    throw error;
  }
  return session;
}

/** socket.io reads a URL's path as a namespace; Kuma under a proxy's sub-path keeps it in `path`. */
function socketTarget(url: string): { origin: string; path: string } {
  const parsed = new URL(url);
  const prefix = parsed.pathname.replace(/\/+$/, '');
  return { origin: parsed.origin, path: `${prefix}/socket.io` };
}

class SocketSession implements KumaSession {
  version = 'unknown';
  private list: Record<string, unknown> = {};
  private notifications: unknown[] = [];
  private closed = false;
  /** Rejects when the connection fails or drops, or when close() ends the session. */
  private readonly gone: Promise<never>;
  private closedHere!: (error: KumaError) => void;
  private infoSeen!: () => void;
  private readonly info: Promise<void>;
  private versionSeen!: () => void;
  private notificationsSeen!: () => void;
  /** What Kuma sends after a login, in no set order and not always before the login's answer. */
  private readonly loggedIn: Promise<unknown>;

  constructor(
    private readonly socket: Socket,
    private readonly login: KumaLogin,
    private readonly now: () => number,
  ) {
    this.info = new Promise((resolve) => (this.infoSeen = resolve));
    this.loggedIn = Promise.all([new Promise<void>((resolve) => (this.versionSeen = resolve)), new Promise<void>((resolve) => (this.notificationsSeen = resolve))]);
    this.gone = new Promise<never>((_, reject) => {
      this.closedHere = reject;
      socket.on('connect_error', (error: Error & { description?: unknown }) => reject(new KumaError(`cannot connect to Uptime Kuma at ${login.url}: ${connectReason(error, login.url)}`)));
      socket.on('disconnect', (reason) => {
        if (!this.closed) reject(new KumaError(`Uptime Kuma at ${login.url} closed the connection (${reason})`));
      });
    });
    this.gone.catch(() => undefined); // observed by whoever waits; never unhandled
    socket.on('info', (info: { version?: unknown }) => {
      if (typeof info?.version === 'string' && info.version !== '') {
        this.version = info.version;
        this.versionSeen();
      }
      this.infoSeen();
    });
    socket.on('monitorList', (list: unknown) => {
      if (isObject(list)) this.list = { ...list };
    });
    socket.on('updateMonitorIntoList', (update: unknown) => {
      if (isObject(update)) this.list = { ...this.list, ...update };
    });
    socket.on('deleteMonitorFromList', (id: unknown) => {
      delete this.list[String(id)];
    });
    socket.on('notificationList', (list: unknown) => {
      if (Array.isArray(list)) this.notifications = list;
      this.notificationsSeen();
    });
  }

  async start(): Promise<void> {
    await this.within(this.info, `Uptime Kuma at ${this.login.url} sent no greeting within ${formatDuration(this.login.timeoutMs)} (is it Uptime Kuma?)`);
    let answer = await this.ask('login', { username: this.login.username, password: this.login.password, token: '' });
    if (answer.tokenRequired) {
      const secret = this.login.totpSecret;
      if (!secret) throw new KumaError(`Uptime Kuma at ${this.login.url}: the account ${this.login.username} has two-factor login: set kuma.totp_secret`);
      answer = await this.ask('login', { username: this.login.username, password: this.login.password, token: totpCode(secret, this.now()) });
      // Kuma refuses a code it accepted once (a sync a moment ago); it also takes the next
      // step's code, so that one is tried before giving up.
      if (answer.ok !== true && isWrongCode(answer.msg)) {
        answer = await this.ask('login', { username: this.login.username, password: this.login.password, token: totpCode(secret, this.now() + 30_000) });
      }
    }
    if (answer.ok !== true) throw new KumaError(`Uptime Kuma at ${this.login.url} refused the login of ${this.login.username}: ${describeKumaMessage(answer.msg)}`);
    // Which fields a new monitor takes depends on the version, and which notifications it
    // gets on the list: both come after a login, Kuma 1 sometimes after its answer.
    await this.within(this.loggedIn, `Uptime Kuma at ${this.login.url} did not send its version and notification list within ${formatDuration(this.login.timeoutMs)} of the login`);
  }

  async monitors(): Promise<KumaMonitor[]> {
    await this.expectOk('getMonitorList', 'could not list the monitors');
    return Object.values(this.list).flatMap((raw) => {
      const monitor = monitorFromList(raw);
      return monitor ? [monitor] : [];
    });
  }

  async tags(): Promise<KumaTag[]> {
    const answer = await this.expectOk('getTags', 'could not list the tags');
    return tagsFromList(answer.tags);
  }

  defaultNotificationIds(): number[] {
    return this.notifications.flatMap((entry) => {
      if (!isObject(entry)) return [];
      const { id, isDefault } = entry as { id?: unknown; isDefault?: unknown };
      return typeof id === 'number' && (isDefault === true || isDefault === 1) ? [id] : [];
    });
  }

  async addTag(name: string, color: string): Promise<KumaTag> {
    const answer = await this.expectOk('addTag', `could not create the tag ${name}`, { name, color });
    const [tag] = tagsFromList([answer.tag]);
    if (!tag) throw new KumaError(`Uptime Kuma at ${this.login.url} created the tag ${name} but did not say its ID`);
    return tag;
  }

  async addMonitor(monitor: NewPushMonitor): Promise<number> {
    const answer = await this.expectOk('add', `could not create the monitor ${monitor.name}`, newMonitorPayload(monitor, this.version));
    if (typeof answer.monitorID !== 'number') throw new KumaError(`Uptime Kuma at ${this.login.url} created the monitor ${monitor.name} but did not say its ID`);
    return answer.monitorID;
  }

  async addMonitorTag(tagId: number, monitorId: number, value: string): Promise<void> {
    await this.expectOk('addMonitorTag', `could not tag monitor ${monitorId}`, tagId, monitorId, value);
  }

  async editMonitor(monitor: KumaMonitor, changes: Partial<ManagedFields>): Promise<void> {
    await this.expectOk('editMonitor', `could not save the monitor ${monitor.name}`, { ...monitor.raw, ...changes });
  }

  async pauseMonitor(id: number): Promise<void> {
    await this.expectOk('pauseMonitor', `could not pause monitor ${id}`, id);
  }

  async resumeMonitor(id: number): Promise<void> {
    await this.expectOk('resumeMonitor', `could not resume monitor ${id}`, id);
  }

  async deleteMonitor(id: number): Promise<void> {
    await this.expectOk('deleteMonitor', `could not delete monitor ${id}`, id);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    // A request still waiting ends now, not at its timeout (a daemon stopping mid-sync).
    this.closedHere(new KumaError(`the session with Uptime Kuma at ${this.login.url} was closed`));
    this.socket.removeAllListeners();
    this.socket.disconnect();
  }

  private async expectOk(event: string, what: string, ...args: unknown[]): Promise<Answer> {
    const answer = await this.ask(event, ...args);
    if (answer.ok !== true) throw new KumaError(`Uptime Kuma at ${this.login.url}: ${what}: ${describeKumaMessage(answer.msg)}`);
    return answer;
  }

  /** One request and Kuma's answer, within the timeout; a dropped connection ends it at once. */
  private async ask(event: string, ...args: unknown[]): Promise<Answer> {
    // The answer's wait is within()'s alone: no timer of socket.io's outlives a closed session.
    const answer = await this.within(
      new Promise<unknown>((resolve) => this.socket.emit(event, ...args, resolve)),
      `Uptime Kuma at ${this.login.url} did not answer ${event} within ${formatDuration(this.login.timeoutMs)}`,
    );
    if (!isObject(answer)) throw new KumaError(`Uptime Kuma at ${this.login.url} answered ${event} with something this version of restic-monitor does not understand`);
    return answer as Answer;
  }

  private async within<T>(work: Promise<T>, timedOut: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new KumaError(timedOut)), this.login.timeoutMs);
    });
    try {
      return await Promise.race([work, this.gone, deadline]);
    } finally {
      clearTimeout(timer);
    }
  }
}

/**
 * What Kuma's own edit page sends for a new push monitor. Kuma 2 stores more columns as JSON
 * (conditions, RabbitMQ nodes) and refuses an `add` without them; Kuma 1 has no such columns
 * and refuses one with them.
 */
function newMonitorPayload(monitor: NewPushMonitor, version: string): Record<string, unknown> {
  const { notificationIds, ...fields } = monitor;
  const common = {
    ...fields,
    parent: null,
    active: true,
    resendInterval: 0,
    upsideDown: false,
    notificationIDList: Object.fromEntries(notificationIds.map((id) => [id, true])),
    accepted_statuscodes: ['200-299'],
    kafkaProducerBrokers: [],
    kafkaProducerSaslOptions: { mechanism: 'None' },
  };
  return /^1\./.test(version) ? common : { ...common, conditions: [], rabbitmqNodes: [] };
}

/** Why the connection failed, in the words the checks use for the same network errors. */
function connectReason(error: Error & { description?: unknown }, url: string): string {
  const cause = (error.description as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  const host = new URL(url).host;
  const code = typeof cause?.code === 'string' ? cause.code : '';
  const known = connectionFailure(code, host);
  if (known) return known;
  const status = /Unexpected server response: (\d+)/.exec(String(cause?.message ?? ''));
  if (status) return `${host} answered HTTP ${status[1]} where Kuma's socket.io endpoint should be (is the URL Kuma's base URL?)`;
  return code !== '' ? `${host}: ${code}` : error.message;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
