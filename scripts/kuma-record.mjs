#!/usr/bin/env node
// Records what a real Uptime Kuma answers to every socket.io event `kuma sync` sends, into
// test/fixtures/kuma/<version>.json, which the tests' stand-in (test/helpers/kuma-standin.ts)
// replays. Run it against a fresh Kuma (a new data directory, no user yet) whenever the client
// (src/kuma/socket-session.ts) changes or a new Kuma version is supported:
//
//   node scripts/kuma-record.mjs http://127.0.0.1:3001
//
// test/helpers/kuma-real.ts starts such a Kuma from a source checkout (KUMA_SOURCE=DIR): the
// suite test/kuma/kuma-sync.test.ts then runs against it instead of the stand-in, and
// KUMA_RECORD=1 makes that suite call this script first. It sets up the admin user itself.
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { io } from 'socket.io-client';

const url = process.argv[2];
if (!url) {
  console.error('usage: node scripts/kuma-record.mjs KUMA_URL');
  process.exit(2);
}
const USER = 'recorder';
const PASSWORD = 'Rec0rder-pass-phrase';
const root = join(dirname(fileURLToPath(import.meta.url)), '..');

const socket = io(url, { reconnection: false, forceNew: true });
const events = [];
const infos = [];
let lastMonitorList;
let lastNotificationList;
socket.onAny((event, ...args) => {
  events.push(event);
  if (event === 'info') infos.push(args[0]);
  if (event === 'monitorList') lastMonitorList = args[0];
  if (event === 'notificationList') lastNotificationList = args[0];
});
const ask = (event, ...args) => socket.timeout(15_000).emitWithAck(event, ...args);
const settle = () => new Promise((resolve) => setTimeout(resolve, 500));

await new Promise((resolve, reject) => {
  socket.once('info', resolve);
  socket.once('connect_error', reject);
});
const recording = { source: '', eventsBeforeLogin: [], infoBeforeLogin: infos[0], answers: {} };
const record = (name, answer) => {
  recording.answers[name] = answer;
  return answer;
};

record('needSetup', await ask('needSetup'));
record('setup', await ask('setup', USER, PASSWORD));
recording.eventsBeforeLogin = [...new Set(events)];
record('login.wrongPassword', await ask('login', { username: USER, password: 'not-the-password', token: '' }));
events.length = 0;
const login = record('login.ok', await ask('login', { username: USER, password: PASSWORD, token: '' }));
if (login.token) login.token = '<a JWT>';
await settle();
recording.eventsAfterLogin = [...new Set(events)];
recording.infoAfterLogin = infos.at(-1);
const version = recording.infoAfterLogin?.version ?? 'unknown';
recording.source = `Uptime Kuma ${version}, built from its source and started with an empty SQLite data directory; recorded by scripts/kuma-record.mjs on ${new Date().toISOString().slice(0, 10)}`;

// A default notification, so that the list shows how Kuma marks one.
record('addNotification', await ask('addNotification', { name: 'recorder webhook', type: 'webhook', webhookURL: 'http://127.0.0.1:9/', webhookContentType: 'json', isDefault: true, applyExisting: false }, null));
await settle();
recording.notificationList = lastNotificationList;

record('getTags.empty', await ask('getTags'));
const tag = record('addTag', await ask('addTag', { name: 'restic-monitor', color: '#2563EB' }));
record('getTags.one', await ask('getTags'));
const major = Number(version.split('.')[0]);
const monitor = {
  type: 'push',
  name: 'recorded',
  pushToken: 'recordedTokenAAAAAAAAAAAAAAAAAAA',
  interval: 3600,
  retryInterval: 3600,
  maxretries: 0,
  description: 'recorded',
  parent: null,
  active: true,
  resendInterval: 0,
  upsideDown: false,
  notificationIDList: {},
  accepted_statuscodes: ['200-299'],
  kafkaProducerBrokers: [],
  kafkaProducerSaslOptions: { mechanism: 'None' },
  ...(major >= 2 && { conditions: [], rabbitmqNodes: [] }),
};
record('add.refused', await ask('add', { type: 'push', name: 'incomplete' }));
// Kuma 1 stores each field it is sent as a column: what it says to one it lacks.
if (major < 2) record('add.unknownColumn', await ask('add', { ...monitor, name: 'with a Kuma 2 field', conditions: [] }));
const added = record('add', await ask('add', monitor));
record('addMonitorTag', await ask('addMonitorTag', tag.tag.id, added.monitorID, 'recorded'));
record('getMonitorList', await ask('getMonitorList'));
await settle();
recording.monitorListEntry = lastMonitorList[added.monitorID];
record('editMonitor', await ask('editMonitor', { ...recording.monitorListEntry, interval: 7200, retryInterval: 7200 }));
record('pauseMonitor', await ask('pauseMonitor', added.monitorID));
record('resumeMonitor', await ask('resumeMonitor', added.monitorID));
record('deleteMonitor', await ask('deleteMonitor', added.monitorID));
record('editMonitor.gone', await ask('editMonitor', { ...recording.monitorListEntry, id: 999999 }).catch((error) => ({ noAnswer: String(error) })));

// Two-factor login: switched on for the recorder's account, then a login without a code,
// and one with a wrong code.
const prepared = await ask('prepare2FA', PASSWORD);
record('prepare2FA', { ...prepared, uri: prepared.uri ? '<otpauth URI>' : prepared.uri });
record('save2FA', await ask('save2FA', PASSWORD));
const second = io(url, { reconnection: false, forceNew: true });
await new Promise((resolve) => second.once('info', resolve));
record('login.tokenRequired', await second.timeout(15_000).emitWithAck('login', { username: USER, password: PASSWORD, token: '' }));
record('login.invalidToken', await second.timeout(15_000).emitWithAck('login', { username: USER, password: PASSWORD, token: '000000' }));
second.close();
socket.close();

const out = join(root, 'test', 'fixtures', 'kuma', `${version}.json`);
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify(recording, null, 2)}\n`);
console.log(`recorded ${Object.keys(recording.answers).length} answers of Uptime Kuma ${version} into ${out}`);
