import { StringDecoder } from 'node:string_decoder';

export class JsonStreamError extends Error {}

const MAX_ELEMENT_LENGTH = 1024 * 1024;

const enum Ch {
  Quote = 0x22,
  Backslash = 0x5c,
  OpenBrace = 0x7b,
  CloseBrace = 0x7d,
  OpenBracket = 0x5b,
  CloseBracket = 0x5d,
  Comma = 0x2c,
}

const isSpace = (code: number) => code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09;

/**
 * Reads a JSON array of objects as it arrives, handing each object to `onElement` as soon as
 * it is complete. restic's `snapshots --json` can be tens of megabytes on a big repository;
 * this keeps one snapshot in memory at a time instead of the whole text and its parse tree.
 */
export class JsonArrayStream {
  private readonly decoder = new StringDecoder('utf8');
  private state: 'before' | 'between' | 'inside' | 'done' = 'before';
  private depth = 0;
  private inString = false;
  private escaped = false;
  private element: string[] = [];
  private elementLength = 0;
  private sawElement = false;
  private expectComma = false;

  constructor(private readonly onElement: (element: unknown) => void) {}

  push(chunk: Buffer | string): void {
    const text = typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    let start = this.state === 'inside' ? 0 : -1;
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (this.state === 'inside') {
        if (this.inString) {
          if (this.escaped) this.escaped = false;
          else if (code === Ch.Backslash) this.escaped = true;
          else if (code === Ch.Quote) this.inString = false;
        } else if (code === Ch.Quote) this.inString = true;
        else if (code === Ch.OpenBrace || code === Ch.OpenBracket) this.depth++;
        else if (code === Ch.CloseBrace || code === Ch.CloseBracket) {
          if (--this.depth === 0) {
            this.element.push(text.slice(start, i + 1));
            this.emit();
            this.state = 'between';
            this.expectComma = true;
          }
        }
      } else if (isSpace(code)) {
        continue;
      } else if (this.state === 'before') {
        if (code !== Ch.OpenBracket) throw new JsonStreamError('not a JSON list');
        this.state = 'between';
      } else if (this.state === 'between') {
        if (code === Ch.CloseBracket && (this.expectComma || !this.sawElement)) this.state = 'done';
        else if (code === Ch.Comma && this.expectComma) this.expectComma = false;
        else if (code === Ch.OpenBrace && !this.expectComma) {
          this.state = 'inside';
          this.depth = 1;
          start = i;
        } else throw new JsonStreamError(code === Ch.OpenBrace || code === Ch.Comma ? 'malformed JSON list' : 'a list element is not an object');
      } else {
        throw new JsonStreamError('text after the end of the JSON list');
      }
    }
    if (this.state === 'inside') {
      const rest = text.slice(start);
      this.elementLength += rest.length;
      // A snapshot is a few hundred bytes: an element this big is not one, and would only eat memory.
      if (this.elementLength > MAX_ELEMENT_LENGTH) throw new JsonStreamError('a list element is larger than 1 MiB');
      this.element.push(rest);
    }
  }

  /** Call when the input has ended: a list that never closed is an error. */
  end(): void {
    this.push(this.decoder.end());
    if (this.state === 'before') throw new JsonStreamError('empty output');
    if (this.state !== 'done') throw new JsonStreamError('the JSON list ends early');
  }

  private emit(): void {
    const text = this.element.join('');
    this.element = [];
    this.elementLength = 0;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new JsonStreamError('malformed JSON object');
    }
    this.sawElement = true;
    this.onElement(parsed);
  }
}
