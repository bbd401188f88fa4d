import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatBytes, readCount, readPercent, readSize } from '../../src/config/sizes.js';

test('sizes: binary and decimal units, plain bytes, and the exact message for the rest', () => {
  const table: Array<[unknown, number | string]> = [
    ['10MiB', 10 * 2 ** 20],
    ['1.5GB', 1_500_000_000],
    ['500KiB', 512_000],
    ['500 kib', 512_000],
    ['2048', 2048],
    ['7B', 7],
    [4096, 4096],
    ['0', 0],
    ['10M', '"10M" is not a size (write it like 10MiB, 1.5GB, 500KiB or a number of bytes)'],
    ['ten', '"ten" is not a size (write it like 10MiB, 1.5GB, 500KiB or a number of bytes)'],
    ['-5MiB', '"-5MiB" is not a size (write it like 10MiB, 1.5GB, 500KiB or a number of bytes)'],
    [1.5, '1.5 is not a size (write it like 10MiB, 1.5GB, 500KiB or a number of bytes)'],
    ['99999999PiB', '"99999999PiB" is too large'],
  ];
  for (const [raw, expected] of table) {
    const parsed = readSize(raw);
    assert.deepEqual(parsed, typeof expected === 'number' ? { value: expected } : { error: expected }, String(raw));
  }
});

test('percentages: 0% to 100% as a fraction; anything else gets its exact message', () => {
  assert.deepEqual(readPercent('50%'), { value: 0.5 });
  assert.deepEqual(readPercent('12.5 %'), { value: 0.125 });
  assert.deepEqual(readPercent('0%'), { value: 0 });
  assert.deepEqual(readPercent('100%'), { value: 1 });
  assert.deepEqual(readPercent('150%'), { error: '"150%" is out of range (0% to 100%)' });
  assert.deepEqual(readPercent('half'), { error: '"half" is not a percentage (write it like 50%)' });
  assert.deepEqual(readPercent('-5%'), { error: '"-5%" is not a percentage (write it like 50%)' });
  assert.deepEqual(readPercent(0.5), { error: '0.5 is not a percentage (write it like 50%)' });
});

test('counts: whole numbers of 0 or more', () => {
  assert.deepEqual(readCount(500), { value: 500 });
  assert.deepEqual(readCount(0), { value: 0 });
  assert.deepEqual(readCount(-1), { error: '-1 is not a whole number of 0 or more' });
});

test('bytes are shown in the units restic prints', () => {
  assert.deepEqual([0, 1023, 1536, 10 * 2 ** 20, 1_500_000_000, 123 * 2 ** 30].map(formatBytes), ['0 B', '1023 B', '1.5 KiB', '10 MiB', '1.4 GiB', '123 GiB']);
});
