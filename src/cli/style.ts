import stringWidth from 'string-width';

export interface Style {
  color: boolean;
}

export const paint = (style: Style, code: number, text: string) => (style.color ? `\u001b[${code}m${text}\u001b[0m` : text);

/**
 * Pads to `width` terminal columns, not UTF-16 units: a CJK character or an emoji takes two
 * columns, a combining mark none. string-width (sindresorhus) counts them from Unicode's
 * East Asian Width table and grapheme clusters (ZWJ emoji, flags, VS16): tables generated
 * from the Unicode data, which a hand-written range list would only approximate.
 */
export function padEnd(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - stringWidth(text)));
}

export { stringWidth };
