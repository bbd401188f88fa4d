import { ReaderError } from './errors.js';
import { goInteger, goString, goTime, goUint32, GoJsonError, GoUnprintableTime } from './go-json.js';

/** One `locks/<id>` file (doc/design.rst, "Locks"), as `restic cat lock` would show it. */
export interface ResticLock {
  id: string;
  time: string;
  exclusive: boolean;
  hostname: string;
  username: string;
  pid: number;
  uid: number;
  gid: number;
}

/** Pure: a decoded lock file; restic calls a lock stale once its time is 30 minutes old. */
export function toResticLock(id: string, json: unknown, raw?: string): ResticLock {
  const name = `locks/${id}`;
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new ReaderError('damaged', `${name} is damaged: not a JSON object`);
  const file = json as Record<string, unknown>;
  try {
    if (file.exclusive !== undefined && file.exclusive !== null && typeof file.exclusive !== 'boolean') throw new GoJsonError('"exclusive" is not a boolean');
    return {
      id,
      time: goTime(file.time, 'time', raw),
      exclusive: file.exclusive === true,
      hostname: goString(file.hostname, 'hostname'),
      username: goString(file.username, 'username'),
      pid: goInteger(file.pid, 'pid', false),
      uid: goUint32(file.uid, 'uid'),
      gid: goUint32(file.gid, 'gid'),
    };
  } catch (error) {
    if (error instanceof GoJsonError || error instanceof GoUnprintableTime) throw new ReaderError('damaged', `${name} is damaged: ${error.message}`);
    throw error;
  }
}

/** restic's rule: a lock whose time is older than this is stale. */
export const STALE_LOCK_MS = 30 * 60 * 1000;
