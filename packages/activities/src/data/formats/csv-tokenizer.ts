/**
 * A streaming CSV tokenizer (RFC 4180 with a configurable delimiter and quote) that knows the exact physical
 * line every record starts on. Text is pushed in chunks; complete records go to a callback synchronously.
 *
 * - Records end at `\n`, `\r\n` or a lone `\r`; line breaks inside quoted fields are kept in the value and
 *   counted as lines. Empty lines are skipped.
 * - A quoted field starts with the quote char at the start of a field; a doubled quote inside it is one quote.
 * - A quote inside an unquoted field is reported with the record (a bad row): the record still ends at its
 *   line break, so the rest of the file stays readable.
 * - An unclosed quote, text after a closing quote, or a record longer than `maxRecordBytes` throws
 *   {@link CsvSyntaxError}.
 *
 * Memory stays bounded: an incomplete record is re-parsed only once the buffered text has doubled, so a long
 * record costs linear time, and a record that grows past the limit fails before more than about twice the
 * limit is buffered.
 */
import { CsvErrorCode, CsvSyntaxError } from '../csv-errors.js';
import { countLineBreaks } from './utf8-text.js';

const LF = 0x0a;
const CR = 0x0d;
/** A UTF-16 code unit is at most 3 UTF-8 bytes. */
const MAX_BYTES_PER_UNIT = 3;

/** Receives each record: its fields, the line it starts on, and the first field with a stray quote (or -1). */
export type CsvRecordHandler = (fields: string[], line: number, strayQuoteField: number) => void;

/** The dialect and limits of a {@link CsvTokenizer}. */
export interface CsvTokenizerOptions {
  delimiter: string;
  quote: string;
  maxRecordBytes: number;
}

const INCOMPLETE = -1;

/** See the module documentation. */
export class CsvTokenizer {
  private readonly delimiter: number;
  private readonly quote: number;
  private readonly quoteChar: string;
  private readonly maxRecordBytes: number;
  private pending: string[] = [];
  private pendingLength = 0;
  private retryAt = 0;
  /** The 1-based line the buffered (not yet tokenized) text starts on. */
  private line = 1;
  /** While tokenizing a record: the line of the current position, and the field being read. */
  private cursorLine = 1;
  private field = 0;

  constructor(
    options: CsvTokenizerOptions,
    private readonly onRecord: CsvRecordHandler,
  ) {
    this.delimiter = options.delimiter.charCodeAt(0);
    this.quoteChar = options.quote;
    this.quote = options.quote.charCodeAt(0);
    this.maxRecordBytes = options.maxRecordBytes;
  }

  /** Tokenizes the complete records of `text` (appended to what is buffered). */
  push(text: string): void {
    if (text.length === 0) return;
    this.pending.push(text);
    this.pendingLength += text.length;
    if (this.pendingLength >= this.retryAt) this.tokenize(false);
  }

  /** Tokenizes what is left at the end of the input (a last record need not end with a line break). */
  end(): void {
    this.tokenize(true);
  }

  /** The line a position lies on, given the text between the buffered text's end and that position. */
  lineAfter(extra: string): number {
    return this.line + countLineBreaks(this.pending.join('') + extra);
  }

  private tokenize(final: boolean): void {
    const text = this.pending.length === 1 ? (this.pending[0] ?? '') : this.pending.join('');
    let pos = 0;
    while (pos < text.length) {
      const end = this.record(text, pos, final);
      if (end === INCOMPLETE) break;
      this.checkLength(text, pos, end, this.line);
      this.line = this.cursorLine;
      pos = end;
    }
    const rest = pos === 0 ? text : text.slice(pos);
    this.checkLength(rest, 0, rest.length, this.line);
    this.pending = rest.length === 0 ? [] : [rest];
    this.pendingLength = rest.length;
    this.retryAt = rest.length * 2;
  }

  private checkLength(text: string, start: number, end: number, line: number): void {
    const units = end - start;
    if (units * MAX_BYTES_PER_UNIT <= this.maxRecordBytes) return;
    if (units <= this.maxRecordBytes && Buffer.byteLength(text.slice(start, end)) <= this.maxRecordBytes) return;
    throw new CsvSyntaxError(CsvErrorCode.MaxRecordSize, line, this.field, this.maxRecordBytes);
  }

  /**
   * Reads one record starting at `start`; returns the index after its line break, or `INCOMPLETE` when
   * the text ends before the record does (and this is not the end of the input).
   */
  private record(text: string, start: number, final: boolean): number {
    this.cursorLine = this.line;
    const first = text.charCodeAt(start);
    if (first === LF || first === CR) return this.lineBreak(text, start, final);
    const fields: string[] = [];
    let strayField = -1;
    let pos = start;
    this.field = 0;
    for (;;) {
      this.stray = false;
      pos = text.charCodeAt(pos) === this.quote ? this.quoted(text, pos, final) : this.unquoted(text, pos);
      if (pos === INCOMPLETE) return INCOMPLETE;
      if (this.stray && strayField < 0) strayField = this.field;
      fields.push(this.value);
      if (pos >= text.length) {
        if (!final) return INCOMPLETE;
        this.onRecord(fields, this.line, strayField);
        return pos;
      }
      if (text.charCodeAt(pos) !== this.delimiter) {
        const next = this.lineBreak(text, pos, final);
        if (next !== INCOMPLETE) this.onRecord(fields, this.line, strayField);
        return next;
      }
      pos++;
      this.field++;
      if (pos >= text.length && final) {
        fields.push('');
        this.onRecord(fields, this.line, strayField);
        return pos;
      }
    }
  }

  /** The value of the field read last, and whether it held a stray quote. */
  private value = '';
  private stray = false;

  /** Consumes the line break at `pos`; returns the index after it. */
  private lineBreak(text: string, pos: number, final: boolean): number {
    this.cursorLine++;
    if (text.charCodeAt(pos) === LF) return pos + 1;
    if (pos + 1 >= text.length) return final ? pos + 1 : INCOMPLETE;
    return text.charCodeAt(pos + 1) === LF ? pos + 2 : pos + 1;
  }

  /** Reads an unquoted field; returns the index of the character after it. */
  private unquoted(text: string, start: number): number {
    const { delimiter, quote } = this;
    let i = start;
    for (; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === delimiter || c === LF || c === CR) break;
      if (c === quote) this.stray = true;
    }
    this.value = text.slice(start, i);
    return i;
  }

  /** Reads a quoted field starting at the opening quote; returns the index after the closing quote. */
  private quoted(text: string, start: number, final: boolean): number {
    let value = '';
    let segment = start + 1;
    for (;;) {
      const close = text.indexOf(this.quoteChar, segment);
      if (close < 0 || (close + 1 >= text.length && !final)) {
        if (!final) return INCOMPLETE;
        const lastLine = this.cursorLine + countLineBreaks(text.slice(start).replace(/(?:\r\n|\n|\r)$/, ''));
        throw new CsvSyntaxError(CsvErrorCode.QuoteNotClosed, this.cursorLine, this.field, lastLine);
      }
      if (text.charCodeAt(close + 1) === this.quote) {
        value += text.slice(segment, close + 1);
        segment = close + 2;
        continue;
      }
      value += text.slice(segment, close);
      this.value = value;
      if (value.includes('\n') || value.includes('\r')) this.cursorLine += countLineBreaks(value);
      const after = close + 1;
      const c = text.charCodeAt(after);
      if (after < text.length && c !== this.delimiter && c !== LF && c !== CR) {
        throw new CsvSyntaxError(CsvErrorCode.InvalidClosingQuote, this.cursorLine, this.field, 0);
      }
      return after;
    }
  }
}
