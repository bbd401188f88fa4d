import { createHash } from 'node:crypto';
import { formatDuration } from '../duration.js';
import type { CheckResult, UnmonitoredRepository } from '../run/result.js';
import { unmonitoredMessage } from '../run/result-json.js';

/**
 * The daemon's page for people (GET /): one self-contained HTML document, no script, no
 * external resource, so it renders the same behind any proxy and can be opened from a phone
 * on the monitoring host's network. A pure function of the results and the time.
 */
export interface StatusPageInput {
  results: readonly CheckResult[];
  /** Checks in the config that have not ended once yet (just started or reloaded). */
  pending: readonly string[];
  now: Date;
  /** The page reloads itself this often (meta refresh: works without script). */
  refreshSeconds: number;
  /** Repositories discover: found that no check covers: rows after the pending ones. */
  unmonitored?: readonly UnmonitoredRepository[];
}

// Everything the page shows comes from it; its hash is the only style the CSP allows.
const STYLE = `
:root { color-scheme: light dark; font-family: system-ui, sans-serif; }
body { margin: 1.5rem; }
h1 { font-size: 1.3rem; margin: 0 0 .3rem; }
p.summary { margin: 0 0 1rem; color: GrayText; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .35rem .6rem; border-bottom: 1px solid #8884; vertical-align: top; }
th { font-size: .8rem; text-transform: uppercase; letter-spacing: .04em; white-space: nowrap; }
td.name { font-weight: 600; overflow-wrap: anywhere; }
td.message { overflow-wrap: anywhere; }
td.num, td.when { white-space: nowrap; }
tr.down { background: #d3202022; }
tr.pending { background: #80808022; }
.badge { font-weight: 700; font-size: .8rem; padding: .1rem .45rem; border-radius: .25rem; color: #fff; }
tr.up .badge { background: #1a7f37; }
tr.down .badge { background: #c62828; }
tr.pending .badge { background: #6e7781; }
tr.unmonitored .badge { background: #9a6700; }
.push { color: #c62828; }
small { color: GrayText; }
`;

/** Often enough to follow a check cycle by eye, rarely enough to cost nothing. */
export const STATUS_PAGE_REFRESH_SECONDS = 30;

/** The headers that go with the page: nothing but its own inline style may load or run. */
export const STATUS_PAGE_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': [
    "default-src 'none'",
    `style-src 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; '),
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text and attribute values: repository names and messages are anybody's strings. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ENTITIES[char]!);
}

/** "2026-11-22 12:00:00Z": UTC, written out, whatever the host's or the reader's zone. */
const utc = (time: Date) => `${time.toISOString().slice(0, 19).replace('T', ' ')}Z`;

function ageText(latest: Date | null, now: Date): string {
  if (latest === null) return '-';
  const ms = now.getTime() - latest.getTime();
  return ms < 0 ? `${formatDuration(-ms)} ahead` : formatDuration(ms);
}

function resultRow(result: CheckResult, now: Date): string {
  const failedPushes = result.pushes
    .filter((push) => !push.delivered)
    .map((push) => `<div class="push">push to ${escapeHtml(push.target)} not delivered: ${escapeHtml(push.error ?? 'unknown error')}</div>`);
  return row(result.status, [
    ['name', escapeHtml(result.name)],
    ['state', `<span class="badge">${result.status.toUpperCase()}</span>`],
    ['num', escapeHtml(ageText(result.latest, now))],
    ['num', escapeHtml(formatDuration(result.maxAgeMs, true))],
    ['mode', escapeHtml(result.mode)],
    ['when', `<time datetime="${result.checkedAt.toISOString()}">${utc(result.checkedAt)}</time><br><small>${escapeHtml(formatDuration(now.getTime() - result.checkedAt.getTime()))} ago</small>`],
    ['message', `${escapeHtml(result.message)}${failedPushes.join('')}`],
  ]);
}

function pendingRow(name: string): string {
  return row('pending', [
    ['name', escapeHtml(name)],
    ['state', '<span class="badge">PENDING</span>'],
    ['num', '-'],
    ['num', '-'],
    ['mode', '-'],
    ['when', '-'],
    ['message', 'not checked yet'],
  ]);
}

function unmonitoredRow(repository: UnmonitoredRepository): string {
  return row('unmonitored', [
    ['name', escapeHtml(repository.name)],
    ['state', '<span class="badge">UNMONITORED</span>'],
    ['num', '-'],
    ['num', '-'],
    ['mode', '-'],
    ['when', `<time datetime="${repository.foundAt.toISOString()}">${utc(repository.foundAt)}</time>`],
    ['message', escapeHtml(unmonitoredMessage(repository))],
  ]);
}

const row = (state: string, cells: Array<[string, string]>) =>
  `<tr class="${state}" data-state="${state}">${cells.map(([kind, html]) => `<td class="${kind}">${html}</td>`).join('')}</tr>`;

export function renderStatusPage(input: StatusPageInput): string {
  const { results, pending, now } = input;
  // Down rows first, the ones nobody has checked next; config order inside each group.
  const down = results.filter((result) => result.status !== 'up');
  const up = results.filter((result) => result.status === 'up');
  const unmonitored = input.unmonitored ?? [];
  const rows = [...down.map((result) => resultRow(result, now)), ...pending.map(pendingRow), ...unmonitored.map(unmonitoredRow), ...up.map((result) => resultRow(result, now))];
  const total = results.length + pending.length;
  const headline = down.length > 0 ? `${down.length} of ${total} down` : pending.length > 0 ? `${up.length} of ${total} up, ${pending.length} pending` : `all ${total} up`;
  const counts = `${down.length} down, ${pending.length} pending, ${up.length} up${unmonitored.length > 0 ? `, ${unmonitored.length} unmonitored` : ''}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="refresh" content="${input.refreshSeconds}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>restic-monitor: ${headline}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>restic-monitor: ${headline}</h1>
<p class="summary">${counts}. Generated ${utc(now)}; reloads every ${input.refreshSeconds} s.</p>
<table>
<thead><tr><th>Repository</th><th>State</th><th>Age</th><th>Max age</th><th>Mode</th><th>Last check</th><th>Message</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table>
</body>
</html>
`;
}
