// Text the monitor shows a person or another program: cut to a length without breaking a
// character, and freed of characters that would break a line or steer a terminal.

// Made on the first cut, not at load: ICU's segmenter costs milliseconds to set up, and most
// runs never cut a text.
let segmenter: Intl.Segmenter | undefined;
const graphemes = (): Intl.Segmenter => (segmenter ??= new Intl.Segmenter('en', { granularity: 'grapheme' }));

/**
 * A grapheme cluster longer than this is no character a person typed (a base letter under
 * hundreds of combining marks): it is cut at a code point instead, rather than dropped whole.
 * The longest real ones (ZWJ family and couple emoji with skin tones) take about 15 units.
 */
const LONGEST_CLUSTER = 32;

/** The nearest place at or before `index` where text can be cut without splitting a character. */
function boundaryBefore(text: string, index: number): number {
  if (index <= 0) return 0;
  if (index >= text.length) return text.length;
  const start = graphemes().segment(text).containing(index)!.index;
  return index - start <= LONGEST_CLUSTER ? start : codePointBefore(text, index);
}

/** The nearest place at or after `index` where text can be cut without splitting a character. */
function boundaryAfter(text: string, index: number): number {
  if (index <= 0) return 0;
  if (index >= text.length) return text.length;
  const cluster = graphemes().segment(text).containing(index)!;
  if (cluster.index === index) return index;
  const end = cluster.index + cluster.segment.length;
  return end - index <= LONGEST_CLUSTER ? end : index + (splitsPair(text, index) ? 1 : 0);
}

/** Never between the two halves of a surrogate pair. */
function codePointBefore(text: string, index: number): number {
  return index - (splitsPair(text, index) ? 1 : 0);
}

function splitsPair(text: string, index: number): boolean {
  const unit = text.charCodeAt(index);
  const previous = text.charCodeAt(index - 1);
  return unit >= 0xdc00 && unit <= 0xdfff && previous >= 0xd800 && previous <= 0xdbff;
}

/**
 * The one way text is cut short: at most `max` UTF-16 units (what JavaScript, Uptime Kuma
 * and JSON count), whole graphemes only, `...` where text was dropped: at the end, or in the
 * middle (`where: 'middle'` keeps both ends, for errors whose cause is at the end). A cut
 * through a surrogate pair is what made Kuma store U+FFFD and `status --json` show a lone
 * `\ud83d`; a cut between an emoji and its ZWJ or skin tone, or a letter and its accent,
 * changes what is shown.
 */
export function clip(text: string, max: number, where: 'end' | 'middle' = 'end'): string {
  if (text.length <= max) return text;
  if (where === 'end') return `${text.slice(0, boundaryBefore(text, max - 3))}...`;
  const room = max - 5;
  const head = boundaryBefore(text, Math.ceil(room / 3));
  const tail = boundaryAfter(text, text.length - (room - head));
  return `${text.slice(0, head)} ... ${text.slice(tail)}`;
}

/** One line, at most `max` characters; only ever applied to text already redacted. */
export function shorten(text: string, max: number): string {
  return clip(oneLine(text), max);
}

/** Like shorten, but keeps both ends and drops the middle: for errors whose cause is at the end. */
export function shortenMiddle(text: string, max: number): string {
  return clip(oneLine(text), max, 'middle');
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * Characters that end a line, move the cursor or start a terminal escape: C0 and C1 controls
 * (newline, carriage return, tab, ESC, NEL, CSI), DEL, the Unicode line and paragraph
 * separators, and the bidirectional overrides and isolates that reorder what follows them
 * on screen (a "Trojan Source" line looks like another).
 */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** Whether `text` holds a character that `printable` escapes. */
export function hasUnsafe(text: string): boolean {
  return new RegExp(UNSAFE.source).test(text);
}

/**
 * Text from the outside world (a folder name, a repository's error) made safe for a line of
 * terminal output: every unsafe character written as an escape (`\n`, `\x1b`, `\u2028`), so
 * that a folder named `x\nUP   db-server: ...` cannot print a line of its own in cron mail.
 */
export function printable(text: string): string {
  return text.replace(UNSAFE, (char) => NAMED[char] ?? escapeCode(char.charCodeAt(0)));
}

function escapeCode(code: number): string {
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}
