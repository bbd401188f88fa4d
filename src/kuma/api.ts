/**
 * What `kuma sync` needs of Uptime Kuma: one logged-in session of its socket.io API, the API
 * its own web UI uses (Kuma has no other API for monitors).
 *
 * The contract, which the socket.io implementation (socket-session.ts) and the tests' stand-in
 * both keep:
 * - Every call ends within the session's timeout, resolved or rejected with a KumaError whose
 *   message a user can act on; none carries the password, a TOTP code or a push token.
 * - `monitors()` is the whole list as Kuma has it now, read again on every call.
 * - A change that Kuma refuses rejects with Kuma's own reason (`msg`), and nothing is retried:
 *   a second `add` after a lost answer could make a second monitor.
 * - `close()` is idempotent and never throws.
 */
export interface KumaSession {
  /** Kuma's version as its `info` event tells it, e.g. `2.5.3`; `unknown` when it does not. */
  readonly version: string;
  monitors(): Promise<KumaMonitor[]>;
  tags(): Promise<KumaTag[]>;
  /** The notifications Kuma marks "default enabled": a new monitor gets them, as in Kuma's UI. */
  defaultNotificationIds(): number[];
  addTag(name: string, color: string): Promise<KumaTag>;
  /** Creates a push monitor; resolves to its ID. */
  addMonitor(monitor: NewPushMonitor): Promise<number>;
  addMonitorTag(tagId: number, monitorId: number, value: string): Promise<void>;
  /** Saves `changes` over the monitor as Kuma listed it: the monitor keeps its ID and history. */
  editMonitor(monitor: KumaMonitor, changes: Partial<ManagedFields>): Promise<void>;
  pauseMonitor(id: number): Promise<void>;
  resumeMonitor(id: number): Promise<void>;
  deleteMonitor(id: number): Promise<void>;
  close(): void;
}

/** The fields of a push monitor that sync decides; everything else is the user's. */
export interface ManagedFields {
  name: string;
  type: string;
  pushToken: string;
  /** Heartbeat interval, seconds. */
  interval: number;
  /** Seconds; sync sets it equal to `interval`. */
  retryInterval: number;
  maxretries: number;
}

export interface NewPushMonitor extends ManagedFields {
  description: string;
  notificationIds: number[];
}

/** A monitor as Kuma lists it: what sync reads, and the whole object to send back on edit. */
export interface KumaMonitor extends ManagedFields {
  id: number;
  active: boolean;
  tags: Array<{ tagId: number; name: string; value: string }>;
  /** The listed object as Kuma sent it: an edit sends it back whole, with the changes. */
  raw: Record<string, unknown>;
}

export interface KumaTag {
  id: number;
  name: string;
}

/** Kuma refused, failed or did not answer. */
export class KumaError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KumaError';
  }
}

export interface KumaLogin {
  url: string;
  username: string;
  password: string;
  totpSecret?: Uint8Array;
  timeoutMs: number;
}
