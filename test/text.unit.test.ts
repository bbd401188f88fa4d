import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildPushUrl, MAX_MESSAGE_LENGTH } from '../src/push/uptime-kuma.js';
import { showFound } from '../src/health/canary.js';
import { clip, printable, shorten, shortenMiddle } from '../src/text.js';

/** A lone half of a surrogate pair: what Kuma stores as U+FFFD and JSON shows as \ud83d. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

const FAMILY = '\u{1F468}\u200d\u{1F469}\u200d\u{1F467}\u200d\u{1F466}'; // 👨‍👩‍👧‍👦, 11 units
const THUMBS = '\u{1F44D}\u{1F3FD}'; // 👍🏽, emoji + skin tone, 4 units
const ACCENTED = 'e\u0301\u0323'; // e + acute + dot below: one character, 3 units
const FLAG = '\u{1F1E9}\u{1F1EA}'; // 🇩🇪

test('shorten cuts before a character it cannot keep whole: surrogate pairs, ZWJ sequences, skin tones, combining marks, flags', () => {
  // 196 x put each character across the end of the 197 units kept (200 less '...').
  for (const char of ['\u{1F600}', FAMILY, THUMBS, ACCENTED, FLAG]) {
    const text = `${'x'.repeat(196)}${char}${'y'.repeat(20)}`;
    const cut = shorten(text, 200);
    assert.equal(cut, `${'x'.repeat(196)}...`, JSON.stringify(char));
    assert.ok(!LONE_SURROGATE.test(cut));
  }
  // Characters that fit are kept whole.
  assert.equal(shorten(`${'x'.repeat(180)}${FAMILY}${'y'.repeat(20)}`, 200), `${'x'.repeat(180)}${FAMILY}yyyyyy...`);
  assert.equal(shorten(`ab${THUMBS}cd`, 200), `ab${THUMBS}cd`);
});

test('shortenMiddle keeps both ends, each cut between characters', () => {
  const text = `${'\u{1F600}'.repeat(100)} cause: ${'\u{1F4A5}'.repeat(100)}`;
  const cut = shortenMiddle(text, 200);
  assert.ok(cut.length <= 200, String(cut.length));
  assert.ok(!LONE_SURROGATE.test(cut), cut);
  assert.match(cut, /^(\u{1F600})+ \.\.\. (\u{1F4A5})+$/u);
  // The ends around the cut hold whole ZWJ sequences and accented letters only.
  const families = shortenMiddle(FAMILY.repeat(40), 100);
  assert.match(families, new RegExp(`^(${FAMILY})+ \\.\\.\\. (${FAMILY})+$`, 'u'));
  const accents = shortenMiddle(ACCENTED.repeat(100), 100);
  assert.match(accents, new RegExp(`^(${ACCENTED})+ \\.\\.\\. (${ACCENTED})+$`, 'u'));
});

test('text within the limit is left as it is; whitespace collapses to one line', () => {
  assert.equal(clip('short', 10), 'short');
  assert.equal(shorten('a\n  b\tc ', 10), 'a b c');
  assert.equal(clip('abcdefghij', 8), 'abcde...');
  assert.equal(clip('abcdefghijklmnop', 12, 'middle'), 'abc ... mnop');
});

test('a cluster longer than any character (hundreds of stacked marks) is cut at a code point, not dropped whole', () => {
  const zalgo = `Z${'\u0301'.repeat(500)}`;
  const cut = clip(zalgo, 100);
  assert.equal(cut.length, 100);
  assert.ok(cut.startsWith('Z\u0301'));
  const middle = clip(`${zalgo}tail`, 100, 'middle');
  assert.equal(middle.length, 100);
  assert.ok(middle.endsWith('\u0301tail'));
  const surrogates = `Z${'\u{1D167}'.repeat(300)}`; // a combining mark outside the BMP
  for (const max of [100, 101]) {
    assert.ok(!LONE_SURROGATE.test(clip(surrogates, max)));
    assert.ok(!LONE_SURROGATE.test(clip(surrogates, max, 'middle')));
    assert.ok(!LONE_SURROGATE.test(clip(`${surrogates}x`, max, 'middle')));
  }
});

test("a Kuma push message cut to 250 characters carries no half emoji (Kuma stored U+FFFD)", () => {
  const message = `stale: ${'x'.repeat(MAX_MESSAGE_LENGTH - 11)}\u{1F525} and more`;
  const msg = buildPushUrl('https://kuma.example.com/api/push/', 'tok', { status: 'down', message, durationMs: 5 }).searchParams.get('msg')!;
  assert.equal(msg, `stale: ${'x'.repeat(MAX_MESSAGE_LENGTH - 11)}...`);
  assert.ok(!msg.includes('\ufffd'));
});

test('what a restore drill shows of a canary is cut between characters', () => {
  assert.equal(showFound(`${'a'.repeat(36)}${FAMILY}tail`), JSON.stringify(`${'a'.repeat(36)}...`));
});

test('printable escapes what would break a line or steer a terminal, and keeps every other character', () => {
  assert.equal(printable('x\nUP   db-server: fine'), 'x\\nUP   db-server: fine');
  assert.equal(printable('a\rb\tc\u001b[31md\u007f'), 'a\\rb\\tc\\x1b[31md\\x7f');
  assert.equal(printable('nel\u0085 csi\u009b ls\u2028 ps\u2029'), 'nel\\x85 csi\\x9b ls\\u2028 ps\\u2029');
  assert.equal(printable('rlo\u202e isolate\u2066'), 'rlo\\u202e isolate\\u2066');
  assert.equal(printable(`caf\u00e9 ${FAMILY} 日本 ${ACCENTED}`), `caf\u00e9 ${FAMILY} 日本 ${ACCENTED}`);
});
