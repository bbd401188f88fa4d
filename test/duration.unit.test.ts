import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_TIMER_MS } from '../src/abort/deadline.js';
import { formatDuration, parseDuration, readDuration } from '../src/duration.js';

const H = 3_600_000;

test('parseDuration reads Go durations plus d and w, alone and compound', () => {
  const table: Array<[string, number]> = [
    // the documented forms
    ['1d', 24 * H],
    ['6h', 6 * H],
    ['30m', 30 * 60_000],
    ['1w', 7 * 24 * H],
    ['36h', 36 * H],
    ['1h30m', 1.5 * H],
    // the rest of the grammar
    ['45s', 45_000],
    ['250ms', 250],
    ['1500us', 2], // rounded to the nearest millisecond
    ['1500µs', 2],
    ['1500μs', 2],
    ['2000000ns', 2],
    ['2h45m30s', 2 * H + 45 * 60_000 + 30_000],
    ['1d12h', 36 * H],
    ['1w2d', 9 * 24 * H],
    ['1.5h', 1.5 * H],
    ['.5h', 0.5 * H],
    ['1.h', H],
    ['+6h', 6 * H],
    ['1m30s', 90_000],
    [' 6h ', 6 * H],
    ['999w', 999 * 7 * 24 * H],
  ];
  for (const [text, expected] of table) assert.equal(parseDuration(text), expected, text);
});

test('readDuration says what is wrong, starting with the value as written', () => {
  const table: Array<[string, string]> = [
    ['6x', '"6x" is not a duration (e.g. 1d, 6h, 30m, 1h30m)'],
    ['', '"" is not a duration (e.g. 1d, 6h, 30m, 1h30m)'],
    ['h', '"h" is not a duration (e.g. 1d, 6h, 30m, 1h30m)'],
    ['soon', '"soon" is not a duration (e.g. 1d, 6h, 30m, 1h30m)'],
    ['2 days', '"2 days" is not a duration (e.g. 1d, 6h, 30m, 1h30m)'],
    ['1h 30m', '"1h 30m" is not a duration (e.g. 1d, 6h, 30m, 1h30m)'],
    ['1h-30m', '"1h-30m" is not a duration (e.g. 1d, 6h, 30m, 1h30m)'],
    ['1y', '"1y" is not a duration (e.g. 1d, 6h, 30m, 1h30m)'],
    ['1..5h', '"1..5h" is not a duration (e.g. 1d, 6h, 30m, 1h30m)'],
    ['1e3s', '"1e3s" is not a duration (e.g. 1d, 6h, 30m, 1h30m)'],
    // ms would read 1M as one minute; Go's units are case-sensitive
    ['1M', '"1M" is not a duration: units are ns, us, ms, s, m, h, d, w, in lower case'],
    ['6H', '"6H" is not a duration: units are ns, us, ms, s, m, h, d, w, in lower case'],
    ['1D12H', '"1D12H" is not a duration: units are ns, us, ms, s, m, h, d, w, in lower case'],
    ['60', '"60" is not a duration: it has no unit (e.g. 60s or 60m)'],
    ['0', '"0" must be more than zero'],
    ['0s', '"0s" must be more than zero'],
    ['0h0m', '"0h0m" must be more than zero'],
    ['-1h', '"-1h" must be more than zero'],
    ['-5', '"-5" must be more than zero'],
    ['0.0001ms', '"0.0001ms" must be at least 1ms'],
    ['999us', '"999us" must be at least 1ms'],
    ['1ns', '"1ns" must be at least 1ms'],
    ['99999999999999999999w', '"99999999999999999999w" is too long'],
  ];
  for (const [text, expected] of table) assert.deepEqual(readDuration(text), { error: expected }, text);
  assert.equal(parseDuration('1M'), undefined);
});

test('the longest timer is 2^31-1 ms, 24d20h31m23s647ms', () => {
  assert.equal(MAX_TIMER_MS, 2_147_483_647);
  assert.equal(formatDuration(MAX_TIMER_MS, true), '24d20h31m23s647ms');
});

test('formatDuration shows the two largest units', () => {
  const table: Array<[number, string]> = [
    [0, '0s'],
    [999, '0s'],
    [45_000, '45s'],
    [3 * H + 12 * 60_000 + 5000, '3h12m'],
    [52 * H, '2d4h'],
    [24 * H, '1d'],
    [24 * H + 5 * 60_000, '1d'],
    [90 * 60_000, '1h30m'],
    [7 * 24 * H, '7d'],
  ];
  for (const [ms, expected] of table) assert.equal(formatDuration(ms), expected, String(ms));
});

test('formatDuration(ms, true) rounds nothing away, for configured limits', () => {
  assert.equal(formatDuration(24 * H + 30 * 60_000, true), '1d30m');
  assert.equal(formatDuration(26 * H + 5000, true), '1d2h5s');
  assert.equal(formatDuration(6 * H, true), '6h');
  // Milliseconds too, in a form parseDuration reads back: a timeout of 1500ms timed out after 1s500ms, not 1s.
  assert.equal(formatDuration(1500, true), '1s500ms');
  assert.equal(formatDuration(250, true), '250ms');
  assert.equal(parseDuration(formatDuration(3_600_001, true)), 3_600_001);
  assert.equal(formatDuration(1500), '1s');
});
