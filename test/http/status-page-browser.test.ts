import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadPage } from '../helpers/chromium.js';
import { startDaemon, waitFor } from '../helpers/daemon-process.js';
import { makeRepository, PASSWORD, resticTime, tempDir } from '../helpers/restic-repos.js';

const SCRIPT_NAME = '<script>alert(1)</script>';
const MARKUP_NAME = `"bold" & <b>friends</b>`;
const IMG_HOST = '<img src=x onerror=alert(2)>';

interface Rendered {
  url: string;
  title: string;
  refresh: string | null;
  /** Every element name in the document: nothing from the data may add one. */
  tags: string[];
  headers: string[];
  rows: Array<{ state: string; cells: string[]; background: string; badge: string }>;
}

// Runs inside the page, after its load event: what a person would see.
const READ_PAGE = `(() => ({
  url: location.href,
  title: document.title,
  refresh: document.querySelector('meta[http-equiv="refresh"]')?.getAttribute('content') ?? null,
  tags: [...new Set([...document.querySelectorAll('*')].map((element) => element.localName))].sort(),
  headers: [...document.querySelectorAll('thead th')].map((cell) => cell.innerText),
  rows: [...document.querySelectorAll('tbody tr')].map((row) => ({
    state: row.dataset.state,
    cells: [...row.cells].map((cell) => cell.innerText),
    background: getComputedStyle(row).backgroundColor,
    badge: getComputedStyle(row.querySelector('.badge')).backgroundColor,
  })),
}))()`;

test('a real Chromium renders the status page of a running daemon: rows, states, order, text-only names, nothing loaded, no script run', async () => {
  const dir = await tempDir('rm-status-page-');
  const [fresh, stale] = await Promise.all([
    makeRepository(join(dir, 'fresh'), [{ time: resticTime(2 * 3_600_000) }]),
    // 30d5h old, relative to now: a fixed date would show as "2527d" whenever its hour comes round.
    makeRepository(join(dir, 'stale'), [{ time: resticTime((30 * 24 + 5) * 3_600_000) }]),
  ]);
  const config = join(dir, 'config.yaml');
  // Up, stale, a failing check, and names and a message carrying markup. One check each:
  // the interval outlasts the test.
  await writeFile(
    config,
    [
      'listen: 127.0.0.1:0',
      'defaults:',
      '  interval: 1h',
      '  max_age: 1d',
      '  extra_env:',
      `    RESTIC_PASSWORD: ${PASSWORD}`,
      'repositories:',
      '  fresh:',
      `    url: ${fresh}`,
      `  ${JSON.stringify(SCRIPT_NAME)}:`,
      `    url: ${fresh}`,
      '  stale:',
      `    url: ${stale}`,
      '  missing:',
      `    url: ${join(dir, 'nothing-here')}`,
      `  ${JSON.stringify(MARKUP_NAME)}:`,
      `    url: ${fresh}`,
      `    host: ${JSON.stringify(IMG_HOST)}`,
      '',
    ].join('\n'),
  );
  const daemon = await startDaemon(['-c', config]);
  try {
    await waitFor('every repository checked once', async () => ((await (await fetch(`${daemon.url}/status`)).json()) as unknown[]).length === 5);
    const page = await loadPage<Rendered>(`${daemon.url}/`, READ_PAGE, 30_000);
    // The measured time goes to the test log (docs/metrics.md quotes it).
    console.log(`# chromium: one page load took ${page.ms} ms`);

    assert.deepEqual(page.requests, [`${daemon.url}/`], 'the document is the only thing the page asked for');
    assert.deepEqual(page.dialogs, [], 'no alert() ran');
    assert.deepEqual(page.console, [], 'no console message, exception or CSP violation');

    const { value } = page;
    assert.equal(value.url, `${daemon.url}/`);
    assert.equal(value.title, 'restic-monitor: 3 of 5 down');
    assert.equal(value.refresh, '30');
    assert.deepEqual(value.tags, ['body', 'br', 'h1', 'head', 'html', 'meta', 'p', 'small', 'span', 'style', 'table', 'tbody', 'td', 'th', 'thead', 'time', 'title', 'tr']);
    assert.deepEqual(value.headers, ['REPOSITORY', 'STATE', 'AGE', 'MAX AGE', 'MODE', 'LAST CHECK', 'MESSAGE']);

    // Down rows first, each group in config order.
    assert.deepEqual(
      value.rows.map((row) => [row.state, row.cells[0], row.cells[1]]),
      [
        ['down', 'stale', 'DOWN'],
        ['down', 'missing', 'DOWN'],
        ['down', MARKUP_NAME, 'DOWN'],
        ['up', 'fresh', 'UP'],
        ['up', SCRIPT_NAME, 'UP'],
      ],
    );
    const byName = new Map(value.rows.map((row) => [row.cells[0], row.cells]));
    assert.equal(byName.get('stale')![2], '30d5h');
    assert.match(byName.get('fresh')![2]!, /^2h(?:\d+m)?$/);
    assert.equal(byName.get('missing')![2], '-');
    for (const cells of byName.values()) {
      assert.deepEqual(cells.slice(3, 5), ['1d', 'restic']);
      assert.match(cells[5]!, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ\n\d+[smh](?:\d+[sm])? ago$/);
    }
    assert.equal(byName.get('stale')![6], 'stale: latest snapshot 30d5h ago (max 1d)');
    assert.equal(byName.get('missing')![6], `check failed: repository not found (no config file in ${join(dir, 'nothing-here')})`);
    assert.equal(byName.get(MARKUP_NAME)![6], `no snapshots for host ${IMG_HOST}`);
    assert.match(byName.get(SCRIPT_NAME)![6]!, /^latest snapshot 2h(?:\d+m)? ago \(max 1d\)$/);

    // The inline style applied under the CSP: down rows tinted, badges coloured.
    for (const row of value.rows) {
      assert.equal(row.background, row.state === 'down' ? 'rgba(211, 32, 32, 0.133)' : 'rgba(0, 0, 0, 0)', row.cells[0]);
      assert.equal(row.badge, row.state === 'down' ? 'rgb(198, 40, 40)' : 'rgb(26, 127, 55)', row.cells[0]);
    }
  } finally {
    await daemon.stop();
  }
});
