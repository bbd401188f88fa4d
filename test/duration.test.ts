import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatDuration, parseDuration } from '../src/duration.js';

const H = 3_600_000;

test('parseDuration reads ms-style and Go compound forms', () => {
  const table: Array<[string, number]> = [
    ['1d', 24 * H],
    ['6h', 6 * H],
    ['30m', 30 * 60_000],
    ['1w', 7 * 24 * H],
    ['45s', 45_000],
    ['1h30m', 1.5 * H],
    ['36h', 36 * H],
    ['2h45m30s', 2 * H + 45 * 60_000 + 30_000],
    ['1d12h', 36 * H],
    ['1.5h', 1.5 * H],
    ['2 days', 48 * H],
    [' 6h ', 6 * H],
  ];
  for (const [text, expected] of table) assert.equal(parseDuration(text), expected, text);
});

test('parseDuration refuses zero, negative, unitless and unknown forms', () => {
  for (const text of ['0', '0s', '0h0m', '-1h', '-5m', '60', '', '6x', 'h', '1h-30m', 'soon', '1 fortnight']) {
    assert.equal(parseDuration(text), undefined, text);
  }
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
});
