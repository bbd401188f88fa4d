export interface Style {
  color: boolean;
}

export const paint = (style: Style, code: number, text: string) => (style.color ? `\u001b[${code}m${text}\u001b[0m` : text);

/** How many terminal columns a text takes (widthFor picks the function). */
export type Width = (text: string) => number;

/** Printable ASCII: one column per character, whatever the terminal. */
const PLAIN = /^[\x20-\x7e]*$/;

/**
 * The width function for these texts. A CJK character or an emoji takes two columns, a
 * combining mark none: string-width (sindresorhus) counts them from Unicode's East Asian
 * Width table and grapheme clusters (ZWJ emoji, flags, VS16), tables generated from the
 * Unicode data that a hand-written range list would only approximate. Loading it and its
 * segmenter costs about as much as the rest of a `status` start-up, and it would answer
 * the length for plain ASCII anyway: it is loaded only for a text that needs it.
 */
export async function widthFor(texts: Iterable<string>): Promise<Width> {
  for (const text of texts) {
    if (PLAIN.test(text)) continue;
    const { default: stringWidth } = await import('string-width');
    return stringWidth;
  }
  return (text) => text.length;
}

/** Pads to `width` terminal columns, not UTF-16 units. */
export function padEnd(text: string, width: number, measure: Width): string {
  return text + ' '.repeat(Math.max(0, width - measure(text)));
}
