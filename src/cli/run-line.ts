import type { CheckResult, UnmonitoredRepository } from '../run/result.js';
import { unmonitoredMessage } from '../run/result-json.js';
import { viewOf } from './result-view.js';
import { paint, type Style } from './style.js';
import { printable } from '../text.js';

/** Where a dry run would have pushed one result: a push target's kind and its masked URL. */
export interface PushPreview {
  target: string;
  destination: string;
}

/**
 * `run`: one line per check, with what happened to its push; with `preview` (a dry run),
 * what would have been pushed where instead.
 */
export function formatRunLine(result: CheckResult, style: Style, preview?: readonly PushPreview[]): string {
  const view = viewOf(result);
  const pushes = preview
    ? preview.map((push) => `would push ${view.status} to ${push.target} ${push.destination}`)
    : view.pushes.map((push) => (push.delivered ? `pushed to ${push.target}` : `push to ${push.target} failed: ${push.error}`));
  const tail = pushes.length === 0 ? 'not pushed (no push target)' : pushes.join('; ');
  const state = paint(style, view.status === 'up' ? 32 : 31, view.status.toUpperCase());
  // Names, messages and push errors carry text from outside (folder names, restic, a server's
  // answer): one result stays one line, whatever they hold.
  return `${state.padEnd(style.color ? 13 : 4)} ${printable(`${view.name}: ${view.message} [${tail}]`)}`;
}

/** `run`: a repository discover found and no check covers; it has no monitor to push to. */
export function formatUnmonitoredLine(repository: UnmonitoredRepository, style: Style): string {
  return `${paint(style, 33, 'UNMONITORED')} ${printable(`${repository.name}: ${unmonitoredMessage(repository)}`)} [not pushed (no monitor)]`;
}
