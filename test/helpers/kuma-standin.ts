import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Server, type Socket } from 'socket.io';
import { totpCode } from '../../src/kuma/totp.js';
import { projectRoot } from './project-root.js';
import { startPushReceiver, type PushReceiver } from './push-receiver.js';

/**
 * A stand-in for Uptime Kuma's socket.io API and push route on one port, for CI, which cannot
 * build Kuma. It keeps monitors, tags and beats as Kuma does, and answers every event with
 * the payloads a real Kuma sent (test/fixtures/kuma/<version>.json, recorded by
 * scripts/kuma-record.mjs). Like Kuma, it registers a connection's handlers only after it
 * has sent `info`, and takes a used two-factor code only once.
 */
export interface Recording {
  source: string;
  infoBeforeLogin: Record<string, unknown>;
  infoAfterLogin: Record<string, unknown>;
  eventsAfterLogin: string[];
  notificationList: unknown[];
  monitorListEntry: Record<string, unknown>;
  answers: Record<string, Record<string, unknown>>;
}

export interface StandInOptions {
  version?: string;
  username?: string;
  password?: string;
  /** Two-factor login on, with this secret. */
  totpSecret?: Uint8Array;
  now?: () => number;
}

export interface KumaStandIn {
  url: string;
  version: string;
  recording: Recording;
  /** The monitors as the monitor list shows them, by ID. */
  monitors: Map<number, Record<string, unknown>>;
  tags: Array<{ id: number; name: string; color: string }>;
  /** Every event a client sent, in order, with its first argument. */
  received: Array<{ event: string; arg: unknown }>;
  /** Events never answered (a Kuma that hangs). */
  hang: Set<string>;
  /** Events answered with this instead (a Kuma whose API answers differently). */
  replies: Map<string, unknown>;
  push: PushReceiver;
  close(): Promise<void>;
}

export function loadRecording(version: string): Recording {
  return JSON.parse(readFileSync(join(projectRoot(), 'test', 'fixtures', 'kuma', `${version}.json`), 'utf8')) as Recording;
}

export async function startKumaStandIn(options: StandInOptions = {}): Promise<KumaStandIn> {
  const version = options.version ?? '2.5.3';
  const recording = loadRecording(version);
  const major = Number(version.split('.')[0]);
  const username = options.username ?? 'admin';
  const password = options.password ?? 'kuma-admin-password';
  const now = options.now ?? Date.now;
  const push = await startPushReceiver();
  const io = new Server(push.server, { serveClient: false });
  const monitors = new Map<number, Record<string, unknown>>();
  const tags: KumaStandIn['tags'] = [];
  const received: KumaStandIn['received'] = [];
  const hang = new Set<string>();
  const replies = new Map<string, unknown>();
  const usedCodes = new Set<string>();
  const notifications: Array<Record<string, unknown>> = [];
  let totpSecret = options.totpSecret;
  let preparedSecret: Buffer | undefined;
  // Kuma's login limit: 20 a minute for the whole server, a token bucket refilled evenly.
  let loginTokens = 20;
  let refilledAt = now();
  const mayLogIn = () => {
    loginTokens = Math.min(20, loginTokens + ((now() - refilledAt) * 20) / 60_000);
    refilledAt = now();
    if (loginTokens < 1) return false;
    loginTokens -= 1;
    return true;
  };
  let nextMonitorId = 1;
  const answer = (name: string, extra: Record<string, unknown> = {}) => ({ ...recording.answers[name], ...extra });
  // Kuma answers a push only for an active push monitor's token.
  const syncTokens = () => {
    push.tokens.clear();
    for (const monitor of monitors.values()) if (monitor.active === true && monitor.type === 'push') push.tokens.add(String(monitor.pushToken));
  };
  const listOf = () => Object.fromEntries([...monitors].map(([id, monitor]) => [id, structuredClone(monitor)]));

  io.on('connection', (socket: Socket) => {
    let loggedIn = false;
    socket.emit('info', recording.infoBeforeLogin);
    const on = (event: string, handler: (...args: any[]) => unknown) =>
      socket.on(event, (...args: unknown[]) => {
        received.push({ event, arg: args[0] });
        if (hang.has(event)) return;
        const callback = args.at(-1);
        if (replies.has(event) && typeof callback === 'function') return callback(replies.get(event));
        const needsLogin = !['login', 'needSetup'].includes(event);
        if (needsLogin && !loggedIn) return typeof callback === 'function' && callback({ ok: false, msg: 'You are not logged in.' });
        handler(...args);
      });
    on('login', (data: { username?: string; password?: string; token?: string }, callback: (answer: unknown) => void) => {
      if (!mayLogIn()) return callback({ ok: false, msg: 'Too frequently, try again later.' });
      if (data.username !== username || data.password !== password) return callback(answer('login.wrongPassword'));
      if (totpSecret) {
        if (!data.token) return callback(answer('login.tokenRequired'));
        // notp's window of one step either side, as Kuma verifies.
        const valid = [-30_000, 0, 30_000].some((shift) => totpCode(totpSecret!, now() + shift) === data.token);
        if (!valid || usedCodes.has(data.token)) return callback(answer('login.invalidToken'));
        usedCodes.add(data.token);
      }
      loggedIn = true;
      for (const event of recording.eventsAfterLogin) {
        if (event === 'monitorList') socket.emit('monitorList', listOf());
        else if (event === 'info') socket.emit('info', recording.infoAfterLogin);
        else if (event === 'notificationList') socket.emit('notificationList', structuredClone(notifications));
      }
      callback(answer('login.ok'));
    });
    on('getMonitorList', (callback: (answer: unknown) => void) => {
      socket.emit('monitorList', listOf());
      callback(answer('getMonitorList'));
    });
    on('getTags', (callback: (answer: unknown) => void) => callback(answer('getTags.one', { tags: structuredClone(tags) })));
    on('addTag', (tag: { name: string; color: string }, callback: (answer: unknown) => void) => {
      const made = { id: tags.length + 1, name: tag.name, color: tag.color };
      tags.push(made);
      callback(answer('addTag', { tag: made }));
    });
    on('add', (monitor: Record<string, unknown>, callback: (answer: unknown) => void) => {
      if (!Array.isArray(monitor.accepted_statuscodes)) return callback(answer('add.refused'));
      // Kuma 1 stores every field it is sent as a column: one it lacks fails the insert.
      if (major < 2 && ('conditions' in monitor || 'rabbitmqNodes' in monitor)) return callback(answer('add.unknownColumn'));
      if (major >= 2 && !Array.isArray(monitor.conditions)) return callback(answer('add.refused'));
      const id = nextMonitorId++;
      const { notificationIDList, accepted_statuscodes: _codes, ...fields } = monitor;
      monitors.set(id, { ...structuredClone(recording.monitorListEntry), ...fields, id, tags: [], notificationIDList: notificationIDList ?? {}, active: monitor.active !== false });
      syncTokens();
      socket.emit('updateMonitorIntoList', { [id]: monitors.get(id) });
      callback(answer('add', { monitorID: id }));
    });
    on('addMonitorTag', (tagId: number, monitorId: number, value: string, callback: (answer: unknown) => void) => {
      const tag = tags.find((candidate) => candidate.id === tagId);
      const monitor = monitors.get(monitorId);
      if (!tag || !monitor) return callback({ ok: false, msg: 'FOREIGN KEY constraint failed' });
      (monitor.tags as unknown[]).push({ tag_id: tagId, monitor_id: monitorId, value, name: tag.name, color: tag.color });
      callback(answer('addMonitorTag'));
    });
    on('editMonitor', (monitor: Record<string, unknown>, callback: (answer: unknown) => void) => {
      const stored = monitors.get(Number(monitor.id));
      if (!stored) return callback(answer('editMonitor.gone'));
      for (const key of ['name', 'description', 'type', 'pushToken', 'interval', 'retryInterval', 'maxretries', 'resendInterval', 'notificationIDList']) {
        if (key in monitor) stored[key] = structuredClone(monitor[key]);
      }
      syncTokens();
      callback(answer('editMonitor', { monitorID: stored.id }));
    });
    const setActive = (active: boolean, name: string) => (id: number, callback: (answer: unknown) => void) => {
      const monitor = monitors.get(id);
      if (monitor) monitor.active = active;
      syncTokens();
      callback(answer(name));
    };
    on('pauseMonitor', setActive(false, 'pauseMonitor'));
    on('resumeMonitor', setActive(true, 'resumeMonitor'));
    on('deleteMonitor', (id: number, ...rest: unknown[]) => {
      monitors.delete(id);
      syncTokens();
      socket.emit('deleteMonitorFromList', id);
      (rest.at(-1) as (answer: unknown) => void)(answer('deleteMonitor'));
    });
    on('addNotification', (notification: Record<string, unknown>, _id: unknown, callback: (answer: unknown) => void) => {
      const id = notifications.length + 1;
      const template = (recording.notificationList[0] ?? {}) as Record<string, unknown>;
      notifications.push({ ...template, id, name: notification.name, isDefault: notification.isDefault === true, config: JSON.stringify(notification) });
      socket.emit('notificationList', structuredClone(notifications));
      callback(answer('addNotification', { id }));
    });
    on('prepare2FA', (current: string, callback: (answer: unknown) => void) => {
      if (current !== password) return callback({ ok: false, msg: 'Incorrect current password' });
      preparedSecret = randomBytes(20);
      callback(answer('prepare2FA', { uri: `otpauth://totp/Uptime%20Kuma:${username}?secret=${base32(preparedSecret)}` }));
    });
    on('save2FA', (current: string, callback: (answer: unknown) => void) => {
      if (current !== password || !preparedSecret) return callback({ ok: false, msg: 'Incorrect current password' });
      totpSecret = preparedSecret;
      callback(answer('save2FA'));
    });
    on('getMonitorBeats', (monitorId: number, _period: number, callback: (answer: unknown) => void) => {
      const token = monitors.get(monitorId)?.pushToken;
      const beats = push.beats.filter((beat) => beat.token === token).map((beat) => ({ monitor_id: monitorId, status: beat.status === 'up' ? 1 : 0, msg: beat.msg, ping: beat.ping }));
      callback({ ok: true, data: beats });
    });
  });

  return {
    url: push.pushUrl.replace(/\/api\/push\/$/, ''),
    version,
    recording,
    monitors,
    tags,
    received,
    hang,
    replies,
    push,
    close: async () => {
      io.disconnectSockets(true);
      await new Promise<void>((resolve) => io.close(() => resolve()));
      await push.close().catch(() => undefined);
    },
  };
}

/** RFC 4648 base32 without padding, as Kuma writes a secret into its otpauth:// URI. */
function base32(bytes: Uint8Array): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += alphabet[(value >>> bits) & 31];
    }
  }
  return bits > 0 ? out + alphabet[(value << (5 - bits)) & 31] : out;
}
