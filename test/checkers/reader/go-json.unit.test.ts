import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { goTime, GoJsonError, GoUnprintableTime, ZERO_TIME } from '../../../src/checkers/reader/go-json.js';
import { ReaderError } from '../../../src/checkers/reader/errors.js';
import { toResticSnapshot, UndecodableSnapshot } from '../../../src/checkers/reader/snapshot.js';

const ID = 'a'.repeat(64);

/**
 * Each row was written into a snapshot file and listed by restic 0.14 (Go 1.19), 0.18.0
 * (Go 1.24) and 0.19.1 (Go 1.26): all three print the same time for an accepted row, and
 * leave the file out ("could not load snapshot ...: hour out of range") for a refused one.
 */
describe("snapshot times: exactly what restic's Go decodes", () => {
  test('accepted, and printed as restic prints them', () => {
    const accepted: Array<[string | null, string]> = [
      ['2026-12-06T01:28:40Z', '2026-12-06T01:28:40Z'],
      ['2015-01-02T18:10:50.895208559+01:00', '2015-01-02T18:10:50.895208559+01:00'],
      ['2020-01-01T00:00:00.000000000Z', '2020-01-01T00:00:00Z'],
      ['2020-01-01T00:00:00.500+00:00', '2020-01-01T00:00:00.5Z'],
      ['2026-12-06T01:28:40-00:00', '2026-12-06T01:28:40Z'],
      ['2026-12-06T01:28:40+23:59', '2026-12-06T01:28:40+23:59'],
      ['2026-12-06T01:28:40+05:60', '2026-12-06T01:28:40+06:00'],
      // Leap years: by 4, not by 100, but by 400; year 0 is one.
      ['2024-02-29T00:00:00Z', '2024-02-29T00:00:00Z'],
      ['2000-02-29T00:00:00Z', '2000-02-29T00:00:00Z'],
      ['0000-01-01T00:00:00Z', '0000-01-01T00:00:00Z'],
      ['9999-12-31T23:59:59.999999999Z', '9999-12-31T23:59:59.999999999Z'],
      // Go's layout parser: a one-digit hour, a comma before the fraction, any number of digits.
      ['2026-12-06T1:28:40Z', '2026-12-06T01:28:40Z'],
      ['2026-12-06T9:28:40+01:00', '2026-12-06T09:28:40+01:00'],
      ['2026-12-06T01:28:40,5Z', '2026-12-06T01:28:40.5Z'],
      ['2026-12-06T01:28:40.1234567891Z', '2026-12-06T01:28:40.123456789Z'],
      ['2026-12-06T01:28:40.00000000000000000000001Z', '2026-12-06T01:28:40Z'],
      [null, ZERO_TIME],
    ];
    for (const [input, printed] of accepted) assert.equal(goTime(input, 'time'), printed, String(input));
    assert.equal(goTime(undefined, 'time'), ZERO_TIME);
  });

  test('refused (restic leaves the snapshot out), each with why', () => {
    const refused: Array<[unknown, string]> = [
      ['2026-12-06T24:00:00Z', 'hour out of range'],
      ['2026-12-06t01:28:40z', 'cannot parse the day'],
      ['2026-12-06t01:28:40Z', 'cannot parse the day'],
      ['2026-12-06T01:28:40z', 'cannot parse the time zone'],
      ['2026-12-06 01:28:40Z', 'cannot parse the day'],
      ['2026-13-06T01:28:40Z', 'month out of range'],
      ['2026-00-06T01:28:40Z', 'month out of range'],
      ['2026-12-00T01:28:40Z', 'day out of range'],
      ['2026-04-31T00:00:00Z', 'day out of range'],
      ['2026-02-29T00:00:00Z', 'day out of range'],
      ['1900-02-29T00:00:00Z', 'day out of range'],
      ['2026-12-06T01:60:40Z', 'minute out of range'],
      ['2026-12-06T01:28:60Z', 'second out of range'],
      ['2026-12-06T01:28:40.Z', 'cannot parse the time zone'],
      ['2026-12-06T01:28:40', 'cannot parse the time zone'],
      ['2026-12-06T01:28:40+0100', 'cannot parse the time zone'],
      ['2026-12-06T01:28:40+25:00', 'time zone offset hour out of range'],
      ['2026-12-06T01:28:40+01:61', 'time zone offset minute out of range'],
      ['2026-12-06T01:28:40Z ', 'extra text after the time'],
      ['2026-12-06T012:28:40Z', 'cannot parse the hour'],
      ['2026-12-06T01:2:40Z', 'cannot parse the minute'],
      ['+2026-12-06T01:28:40Z', 'cannot parse the year'],
      ['26-12-06T01:28:40Z', 'cannot parse the year'],
      ['2026-1-06T01:28:40Z', 'cannot parse the month'],
      ['', 'cannot parse the year'],
      [12345, 'not a string'],
      [true, 'not a string'],
    ];
    for (const [input, why] of refused) {
      assert.throws(
        () => goTime(input, 'time'),
        (error: unknown) => error instanceof GoJsonError && error.message === `"time" is not an RFC 3339 time: ${why}`,
        JSON.stringify(input),
      );
    }
  });

  test('a time written with a JSON escape is refused: Go parses the string without unescaping it', () => {
    const raw = '{"time":"2026-12-06T01:28:40\\u005a"}';
    const value = (JSON.parse(raw) as { time: string }).time;
    assert.throws(() => goTime(value, 'time', raw), { message: '"time" is not an RFC 3339 time: it is written with a JSON escape' });
    assert.equal(goTime(value, 'time', '{"time":"2026-12-06T01:28:40Z"}'), '2026-12-06T01:28:40Z');
  });

  test('an offset of 24 hours or more decodes but cannot be printed (restic 0.18+ fail the whole listing)', () => {
    for (const input of ['2026-12-06T01:28:40+24:00', '2026-12-06T01:28:40+23:60', '2026-12-06T01:28:40-24:60']) {
      assert.throws(() => goTime(input, 'time'), (error: unknown) => error instanceof GoUnprintableTime && error.message === '"time" has a time zone offset of 24 hours or more, which restic cannot print', input);
    }
  });

  test('in a snapshot: a refused value leaves the file out (UndecodableSnapshot), an unprintable one fails the check', () => {
    const base = { tree: 'b'.repeat(64), paths: ['/x'] };
    assert.throws(
      () => toResticSnapshot(ID, { ...base, time: '2026-12-06T24:00:00Z' }),
      (error: unknown) => error instanceof UndecodableSnapshot && error.message === `snapshots/${ID} is damaged: "time" is not an RFC 3339 time: hour out of range`,
    );
    assert.throws(
      () => toResticSnapshot(ID, { ...base, time: '2026-12-06T01:00:00Z', summary: { backup_end: '2026-12-06T01:00:00z' } }),
      (error: unknown) => error instanceof UndecodableSnapshot && error.message === `snapshots/${ID} is damaged: "summary.backup_end" is not an RFC 3339 time: cannot parse the time zone`,
    );
    assert.throws(
      () => toResticSnapshot(ID, { ...base, time: '2026-12-06T01:00:00+24:00' }),
      (error: unknown) => error instanceof ReaderError && !(error instanceof UndecodableSnapshot) && error.message === `snapshots/${ID} is damaged: "time" has a time zone offset of 24 hours or more, which restic cannot print`,
    );
    assert.equal(toResticSnapshot(ID, { ...base, time: '2026-12-06T1:28:40,25+01:00' }).time, '2026-12-06T01:28:40.25+01:00');
  });
});
