import { io, type Socket } from 'socket.io-client';
import type { KumaMonitor } from '../../src/kuma/api.js';
import { monitorFromList } from '../../src/kuma/monitor-json.js';
import { readTotpSecret } from '../../src/kuma/totp.js';
import { startKumaStandIn, type KumaStandIn } from '../helpers/kuma-standin.js';
import { KUMA_ADMIN, startRealKuma } from '../helpers/kuma-real.js';

/**
 * The Kuma a sync suite runs against: the stand-in of a recorded version (CI), or a real Kuma
 * from KUMA_SOURCE. The suite reads back what Kuma stored through one socket of its own,
 * logged in once: Kuma allows 20 logins a minute in all, and every sync takes one.
 */
export interface KumaTarget {
  label: string;
  url: string;
  username: string;
  password: string;
  standIn?: KumaStandIn;
  monitors(): Promise<KumaMonitor[]>;
  /** A push monitor made as a person would, without the tag; its ID. */
  addUnmarkedMonitor(name: string, pushToken: string, interval: number): Promise<number>;
  /** The beats Kuma stored for a monitor (status 1 up, 0 down). */
  beats(monitorId: number): Promise<Array<{ status: number; msg: string }>>;
  /** A notification that Kuma gives every new monitor ("default enabled"); its ID. */
  addDefaultNotification(): Promise<number>;
  /** Switches on two-factor login for the admin; the base32 secret. */
  enableTwoFactor(): Promise<string>;
  close(): Promise<void>;
}

export async function startTarget(version: string, source = process.env.KUMA_SOURCE): Promise<KumaTarget> {
  if (source) {
    const real = await startRealKuma(source);
    return connect(`Uptime Kuma ${real.version} from ${source}`, real.url, real.close);
  }
  const standIn = await startKumaStandIn({ version, ...KUMA_ADMIN });
  return { ...(await connect(`the stand-in of Kuma ${version}`, standIn.url, standIn.close)), standIn };
}

async function connect(label: string, url: string, stop: () => Promise<void>): Promise<KumaTarget> {
  const socket: Socket = io(url, { reconnection: false, forceNew: true });
  let list: Record<string, unknown> = {};
  let version = '';
  socket.on('monitorList', (value: Record<string, unknown>) => (list = value));
  // Kuma sends its version in the `info` that comes with a login, before the login's answer.
  socket.on('info', (info: { version?: string }) => (version = info.version ?? version));
  await new Promise((resolve, reject) => {
    socket.once('info', resolve);
    socket.once('connect_error', reject);
  });
  const ask = async (event: string, ...args: unknown[]): Promise<any> => {
    const answer = await socket.timeout(15_000).emitWithAck(event, ...args);
    if (answer?.ok !== true) throw new Error(`${event}: ${JSON.stringify(answer)}`);
    return answer;
  };
  await ask('login', { ...KUMA_ADMIN, token: '' });
  return {
    label,
    url,
    ...KUMA_ADMIN,
    monitors: async () => {
      // Kuma sends the list, then answers: the list is in by the time the answer is.
      await ask('getMonitorList');
      return Object.values(list).flatMap((raw) => monitorFromList(raw) ?? []);
    },
    addUnmarkedMonitor: async (name, pushToken, interval) => {
      const monitor = {
        type: 'push', name, pushToken, interval, retryInterval: interval, maxretries: 2, description: 'made by hand', parent: null, active: true, resendInterval: 0,
        upsideDown: false, notificationIDList: {}, accepted_statuscodes: ['200-299'], kafkaProducerBrokers: [], kafkaProducerSaslOptions: { mechanism: 'None' },
        ...(!version.startsWith('1.') && { conditions: [], rabbitmqNodes: [] }),
      };
      return (await ask('add', monitor)).monitorID as number;
    },
    beats: async (monitorId) => ((await ask('getMonitorBeats', monitorId, 24)).data ?? []) as Array<{ status: number; msg: string }>,
    addDefaultNotification: async () =>
      (await ask('addNotification', { name: 'on call', type: 'webhook', webhookURL: 'http://127.0.0.1:9/', webhookContentType: 'json', isDefault: true, applyExisting: false }, null)).id as number,
    enableTwoFactor: async () => {
      const prepared = await ask('prepare2FA', KUMA_ADMIN.password);
      await ask('save2FA', KUMA_ADMIN.password);
      const secret = new URL(prepared.uri as string).searchParams.get('secret')!;
      if ('error' in readTotpSecret(secret)) throw new Error(`Kuma gave a secret that is not base32: ${secret.length} characters`);
      return secret;
    },
    close: async () => {
      socket.close();
      await stop();
    },
  };
}

/** The monitors tagged `tag`, by the tag's value (the check's name). */
export function markedMonitors(monitors: readonly KumaMonitor[], tag = 'restic-monitor'): Map<string, KumaMonitor> {
  const marked = new Map<string, KumaMonitor>();
  for (const monitor of monitors) {
    const mark = monitor.tags.find((candidate) => candidate.name === tag);
    if (mark) marked.set(mark.value, monitor);
  }
  return marked;
}
