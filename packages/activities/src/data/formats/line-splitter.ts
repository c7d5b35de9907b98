/**
 * Splits decoded text into `\n`-terminated lines (a trailing `\r` is dropped) with 1-based line numbers,
 * holding at most one partial line, and failing as soon as a line grows past the byte limit, so a single huge
 * line is never buffered whole.
 */

/** Thrown when a line is longer than the limit; `line` is its 1-based number. */
export class LineTooLongError extends Error {
  constructor(
    readonly line: number,
    readonly maxBytes: number,
  ) {
    super(`line ${line} is longer than ${maxBytes} bytes`);
    this.name = 'LineTooLongError';
  }
}

/** A UTF-16 code unit is at most 3 UTF-8 bytes. */
const MAX_BYTES_PER_UNIT = 3;

/** See the module documentation. */
export class LineSplitter {
  private parts: string[] = [];
  private partBytes = 0;
  /** The number of the next line to emit. */
  private line = 1;

  constructor(
    private readonly maxBytes: number,
    private readonly onLine: (text: string, line: number) => void,
  ) {}

  /** Emits every line `text` completes, and keeps the partial line at its end. */
  push(text: string): void {
    let start = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      let content = text.slice(start, nl);
      if (this.parts.length > 0) {
        this.parts.push(content);
        content = this.parts.join('');
        this.parts = [];
        this.partBytes = 0;
      }
      this.emit(content);
      start = nl + 1;
    }
    if (start < text.length) this.keep(start === 0 ? text : text.slice(start));
  }

  /** Emits the last line when the text does not end with a line break. */
  end(): void {
    if (this.parts.length === 0) return;
    const content = this.parts.join('');
    this.parts = [];
    this.partBytes = 0;
    this.emit(content);
  }

  /** The line a position lies on, given the text between the emitted lines' end and that position. */
  lineAfter(extra: string): number {
    const text = this.parts.join('') + extra;
    let count = 0;
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) count++;
    return this.line + count;
  }

  private keep(partial: string): void {
    this.parts.push(partial);
    this.partBytes += Buffer.byteLength(partial);
    if (this.partBytes > this.maxBytes) throw new LineTooLongError(this.line, this.maxBytes);
  }

  private emit(content: string): void {
    const line = this.line++;
    if (content.length * MAX_BYTES_PER_UNIT > this.maxBytes && Buffer.byteLength(content) > this.maxBytes) {
      throw new LineTooLongError(line, this.maxBytes);
    }
    this.onLine(content.endsWith('\r') ? content.slice(0, -1) : content, line);
  }
}
