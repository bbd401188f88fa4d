import { Decompress } from 'fzstd';
import { mebibytes } from './limits.js';

/**
 * Why zstd data was refused; `limit` when it was past the bound. The message completes a
 * sentence that starts with the file's name ("snapshots/ab12 holds more than 64 MiB ...").
 */
export class ZstdRefused extends Error {
  constructor(
    readonly limit: boolean,
    message: string,
  ) {
    super(message);
  }
}

/** Input is handed to the decoder in slices this big, so output is counted as it grows. */
const SLICE = 64 * 1024;

/**
 * Pure: zstd data decompressed to at most `maxBytes`, or ZstdRefused. A few KiB of zstd can
 * claim gigabytes (RLE blocks: 4 bytes each for 128 KiB of output), and the decoder
 * allocates a frame's whole window, or its whole declared content, at once. So each frame's
 * header is read first and a window or a declared size past `maxBytes` is refused before any
 * memory is taken; then the data is decoded in slices and stopped as soon as the output
 * passes `maxBytes`.
 */
export function decompressCapped(data: Uint8Array, maxBytes: number): Buffer {
  for (const frame of frameHeaders(data)) {
    if (frame.contentSize !== undefined && frame.contentSize > maxBytes) {
      throw new ZstdRefused(true, `says it holds ${mebibytes(frame.contentSize)} once decompressed (at most ${mebibytes(maxBytes)})`);
    }
    if (frame.windowSize > maxBytes) throw new ZstdRefused(true, `asks zstd for a ${mebibytes(frame.windowSize)} window (at most ${mebibytes(maxBytes)})`);
  }
  if (data.length === 0) throw new ZstdRefused(false, 'is damaged: its zstd data does not decompress');
  const chunks: Uint8Array[] = [];
  let size = 0;
  const decoder = new Decompress((chunk) => {
    size += chunk.length;
    if (size > maxBytes) throw new ZstdRefused(true, `holds more than ${mebibytes(maxBytes)} once decompressed`);
    chunks.push(chunk);
  });
  try {
    for (let offset = 0; offset < data.length; offset += SLICE) {
      const end = Math.min(offset + SLICE, data.length);
      decoder.push(data.subarray(offset, end), end === data.length);
    }
  } catch (error) {
    if (error instanceof ZstdRefused) throw error;
    throw new ZstdRefused(false, 'is damaged: its zstd data does not decompress');
  }
  return Buffer.concat(chunks, size);
}

interface FrameHeader {
  windowSize: number;
  contentSize?: number;
}

/**
 * The header of every frame in `data` (RFC 8878, 3.1), walking each frame's blocks to find
 * the next one. Skippable frames are passed over. Anything malformed is refused.
 */
export function frameHeaders(data: Uint8Array): FrameHeader[] {
  const bad = () => new ZstdRefused(false, 'is damaged: its zstd data does not decompress');
  const frames: FrameHeader[] = [];
  const byte = (at: number) => {
    if (at >= data.length) throw bad();
    return data[at]!;
  };
  const little = (at: number, length: number) => {
    let value = 0;
    for (let i = length - 1; i >= 0; i--) value = value * 256 + byte(at + i);
    return value;
  };
  let at = 0;
  while (at < data.length) {
    const magic = little(at, 4);
    if (magic >>> 4 === 0x184d2a5) {
      // A skippable frame: magic, 4-byte length, content the decoder ignores.
      at += 8 + little(at + 4, 4);
      if (at > data.length) throw bad();
      continue;
    }
    if (magic !== 0xfd2fb528) throw bad();
    const descriptor = byte(at + 4);
    if (descriptor & 0x08) throw bad(); // the reserved bit
    const singleSegment = (descriptor >> 5) & 1;
    const sizeFlag = descriptor >> 6;
    let cursor = at + 5;
    let windowSize = 0;
    if (!singleSegment) {
      const window = byte(cursor++);
      const base = 2 ** (10 + (window >> 3));
      windowSize = base + (base / 8) * (window & 7);
    }
    cursor += [0, 1, 2, 4][descriptor & 3]!; // dictionary ID
    const sizeBytes = sizeFlag === 0 ? singleSegment : 2 ** sizeFlag;
    let contentSize: number | undefined;
    if (sizeBytes > 0) {
      contentSize = little(cursor, sizeBytes) + (sizeBytes === 2 ? 256 : 0);
      cursor += sizeBytes;
    }
    if (singleSegment) windowSize = contentSize ?? 0;
    frames.push({ windowSize, ...(contentSize !== undefined && { contentSize }) });
    for (;;) {
      const header = little(cursor, 3);
      const type = (header >> 1) & 3;
      if (type === 3) throw bad();
      // Raw and compressed blocks carry their size in bytes; an RLE block carries one byte.
      cursor += 3 + (type === 1 ? 1 : header >>> 3);
      if (cursor > data.length) throw bad();
      if (header & 1) break;
    }
    if ((descriptor >> 2) & 1) cursor += 4; // content checksum
    if (cursor > data.length) throw bad();
    at = cursor;
  }
  return frames;
}
