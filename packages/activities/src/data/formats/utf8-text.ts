/**
 * Strict UTF-8 decoding of a byte stream for the text formats (CSV, JSON lines). A fatal decoder refuses
 * invalid bytes instead of replacing them with U+FFFD, and a refusal says exactly which byte was wrong, so
 * the reader can name the line it sits on.
 */

/** Thrown by {@link Utf8Text.decode} and {@link Utf8Text.end} on bytes that are not UTF-8. */
export class InvalidUtf8Error extends Error {
  constructor(
    /** The text decoded from the chunk before the first invalid byte (to count the lines before it). */
    readonly validPrefix: string,
    /** The 0-based offset of the first invalid byte in the decoded (decompressed) byte stream. */
    readonly byteOffset: number,
    /** The first invalid byte. */
    readonly badByte: number,
  ) {
    super(`invalid UTF-8 at byte ${byteOffset} (0x${badByte.toString(16).padStart(2, '0')})`);
    this.name = 'InvalidUtf8Error';
  }
}

/** The byte length of the UTF-8 sequence a lead byte starts, or 0 when it cannot start one. */
function sequenceLength(lead: number): number {
  if (lead < 0x80) return 1;
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  return 0;
}

/** Whether `byte` may follow `lead` as the first continuation byte (excludes overlongs, surrogates, > U+10FFFF). */
function validSecond(lead: number, byte: number): boolean {
  if (lead === 0xe0) return byte >= 0xa0 && byte <= 0xbf;
  if (lead === 0xed) return byte >= 0x80 && byte <= 0x9f;
  if (lead === 0xf0) return byte >= 0x90 && byte <= 0xbf;
  if (lead === 0xf4) return byte >= 0x80 && byte <= 0x8f;
  return byte >= 0x80 && byte <= 0xbf;
}

/**
 * The offset of the first byte of the first invalid UTF-8 sequence in `bytes`, or `-1` when every complete
 * sequence is valid. A sequence cut off by the end of `bytes` is invalid only when `final` is true.
 */
export function firstInvalidUtf8(bytes: Uint8Array, final: boolean): number {
  let i = 0;
  while (i < bytes.length) {
    const lead = bytes[i] ?? 0;
    const length = sequenceLength(lead);
    if (length === 0) return i;
    for (let k = 1; k < length; k++) {
      if (i + k >= bytes.length) return final ? i : -1;
      const byte = bytes[i + k] ?? 0;
      if (k === 1 ? !validSecond(lead, byte) : byte < 0x80 || byte > 0xbf) return i;
    }
    i += length;
  }
  return -1;
}

/** How many bytes at the end of `bytes` start a UTF-8 sequence that the next chunk must finish. */
function incompleteTail(bytes: Uint8Array): number {
  for (let back = 1; back <= Math.min(3, bytes.length); back++) {
    const byte = bytes[bytes.length - back] ?? 0;
    if (byte >= 0x80 && byte <= 0xbf) continue;
    const length = sequenceLength(byte);
    return length > back ? back : 0;
  }
  return 0;
}

/**
 * Decodes a stream of UTF-8 chunks with a fatal decoder. A byte-order mark at the very start is dropped
 * (it is still part of the stored bytes, so of the digest).
 */
export class Utf8Text {
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });
  private tail: Uint8Array = new Uint8Array(0);
  private offset = 0;

  /** Decodes the next chunk; throws {@link InvalidUtf8Error} at the first invalid byte. */
  decode(chunk: Uint8Array): string {
    try {
      const text = this.decoder.decode(chunk, { stream: true });
      this.advance(chunk);
      return text;
    } catch (err) {
      if (!(err instanceof TypeError)) throw err;
      throw this.locate(chunk, false);
    }
  }

  /** Flushes the decoder; throws {@link InvalidUtf8Error} when the stream ends inside a sequence. */
  end(): string {
    try {
      return this.decoder.decode();
    } catch (err) {
      if (!(err instanceof TypeError)) throw err;
      throw this.locate(new Uint8Array(0), true);
    }
  }

  private advance(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    // A tail is at most 3 bytes, so a chunk of 3 bytes or more holds the whole of the next one.
    const joined = chunk.length >= 3 ? chunk : concat(this.tail, chunk);
    const keep = incompleteTail(joined);
    this.offset += this.tail.length + chunk.length - keep;
    this.tail = joined.slice(joined.length - keep);
  }

  private locate(chunk: Uint8Array, final: boolean): InvalidUtf8Error {
    const bytes = concat(this.tail, chunk);
    const found = firstInvalidUtf8(bytes, final);
    const bad = found < 0 ? bytes.length : found;
    const prefix = new TextDecoder('utf-8').decode(bytes.subarray(0, bad));
    return new InvalidUtf8Error(prefix, this.offset + bad, bytes[bad] ?? 0);
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/** Counts line breaks (`\r\n`, `\n` or a lone `\r`, each counting once) in a string. */
export function countLineBreaks(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x0a) count++;
    else if (c === 0x0d) {
      count++;
      if (text.charCodeAt(i + 1) === 0x0a) i++;
    }
  }
  return count;
}
