/** One line, at most `max` characters; only ever applied to text already redacted. */
export function shorten(text: string, max: number): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length <= max ? oneLine : `${oneLine.slice(0, max - 3)}...`;
}

/** Like shorten, but keeps both ends and drops the middle: for errors whose cause is at the end. */
export function shortenMiddle(text: string, max: number): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  if (oneLine.length <= max) return oneLine;
  const head = Math.ceil((max - 5) / 3);
  return `${oneLine.slice(0, head)} ... ${oneLine.slice(oneLine.length - (max - 5 - head))}`;
}
