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
  /** The largest of the delimiter, the quote, LF and CR: a character above it is plain field text. */
  private readonly special: number;
  private readonly maxRecordBytes: number;
  private pending: string[] = [];
  private pendingLength = 0;
  private retryAt = 0;
  /** The 1-based line the buffered (not yet tokenized) text starts on. */
  private line = 1;
  /** While tokenizing a record: the line of the current position, and the field being read. */
  private cursorLine = 1;
  private field = 0;
  /** The field count of the last record: the next record's array starts that long. */
  private width = 0;
  /** Set by `quoted()`: the index after the closing quote. */
  private after = 0;
  /** Set by `unquoted()` when the field holds a quote. */
  private stray = false;

  constructor(
    options: CsvTokenizerOptions,
    private readonly onRecord: CsvRecordHandler,
  ) {
    this.delimiter = options.delimiter.charCodeAt(0);
    this.quoteChar = options.quote;
    this.quote = options.quote.charCodeAt(0);
    this.special = Math.max(this.delimiter, this.quote, LF, CR);
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
    if (this.pending.length === 2 && !final && this.completeRest()) return;
    const text = this.pending.length === 1 ? (this.pending[0] ?? '') : this.pending.join('');
    this.keepRest(text, this.records(text, 0, final));
  }

  /**
   * With a partial record buffered before the newest text: finishes it with that text's first line alone, then
   * tokenizes the newest text in place, so it is not copied into a joined string. False when that line does not
   * finish the record (a quoted line break, or no `\n`): `pending` then holds what is left, to be joined.
   */
  private completeRest(): boolean {
    const [rest = '', next = ''] = this.pending;
    const split = next.indexOf('\n') + 1;
    if (split === 0) return false;
    const head = rest + next.slice(0, split);
    const used = this.records(head, 0, false);
    if (used < head.length) {
      this.pending = [head.slice(used), next.slice(split)];
      return false;
    }
    this.keepRest(next, this.records(next, split, false));
    return true;
  }

  /** Tokenizes the records of `text` from `start`; returns where the first incomplete record starts. */
  private records(text: string, start: number, final: boolean): number {
    let pos = start;
    while (pos < text.length) {
      const end = this.record(text, pos, final);
      if (end === INCOMPLETE) break;
      this.checkLength(text, pos, end, this.line);
      this.line = this.cursorLine;
      pos = end;
    }
    return pos;
  }

  /** Buffers the text from `pos` on, an incomplete record, until more text comes. */
  private keepRest(text: string, pos: number): void {
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
    const fields = new Array<string>(this.width);
    let count = 0;
    let strayField = -1;
    let pos = start;
    this.field = 0;
    for (;;) {
      if (text.charCodeAt(pos) === this.quote) {
        const value = this.quoted(text, pos, final);
        if (value === undefined) return INCOMPLETE;
        fields[count++] = value;
        pos = this.after;
      } else {
        const end = this.unquoted(text, pos);
        if (this.stray) {
          this.stray = false;
          if (strayField < 0) strayField = this.field;
        }
        fields[count++] = text.slice(pos, end);
        pos = end;
      }
      if (pos >= text.length) return final ? this.emit(fields, count, strayField, pos) : INCOMPLETE;
      if (text.charCodeAt(pos) !== this.delimiter) {
        const next = this.lineBreak(text, pos, final);
        return next === INCOMPLETE ? next : this.emit(fields, count, strayField, next);
      }
      pos++;
      this.field++;
      if (pos >= text.length && final) {
        fields[count++] = '';
        return this.emit(fields, count, strayField, pos);
      }
    }
  }

  /** Hands a complete record of `count` fields over; returns `end`. */
  private emit(fields: string[], count: number, strayField: number, end: number): number {
    if (fields.length !== count) fields.length = count;
    this.width = count;
    this.onRecord(fields, this.line, strayField);
    return end;
  }

  /** Consumes the line break at `pos`; returns the index after it. */
  private lineBreak(text: string, pos: number, final: boolean): number {
    this.cursorLine++;
    if (text.charCodeAt(pos) === LF) return pos + 1;
    if (pos + 1 >= text.length) return final ? pos + 1 : INCOMPLETE;
    return text.charCodeAt(pos + 1) === LF ? pos + 2 : pos + 1;
  }

  /** Reads an unquoted field; returns the index of the character after it (and flags a stray quote). */
  private unquoted(text: string, start: number): number {
    const { delimiter, quote, special } = this;
    const length = text.length;
    let i = start;
    for (; i < length; i++) {
      const c = text.charCodeAt(i);
      if (c > special) continue;
      if (c === delimiter || c === LF || c === CR) break;
      if (c === quote) this.stray = true;
    }
    return i;
  }

  /**
   * Reads a quoted field starting at the opening quote: its value, with `after` set to the index after the
   * closing quote; `undefined` when the text ends first (and this is not the end of the input).
   */
  private quoted(text: string, start: number, final: boolean): string | undefined {
    let value = '';
    let segment = start + 1;
    for (;;) {
      const close = text.indexOf(this.quoteChar, segment);
      if (close < 0 || (close + 1 >= text.length && !final)) {
        if (!final) return undefined;
        const lastLine = this.cursorLine + countLineBreaks(text.slice(start).replace(/(?:\r\n|\n|\r)$/, ''));
        throw new CsvSyntaxError(CsvErrorCode.QuoteNotClosed, this.cursorLine, this.field, lastLine);
      }
      if (text.charCodeAt(close + 1) === this.quote) {
        value += text.slice(segment, close + 1);
        segment = close + 2;
        continue;
      }
      value += text.slice(segment, close);
      if (value.includes('\n') || value.includes('\r')) this.cursorLine += countLineBreaks(value);
      const after = close + 1;
      const c = text.charCodeAt(after);
      if (after < text.length && c !== this.delimiter && c !== LF && c !== CR) {
        throw new CsvSyntaxError(CsvErrorCode.InvalidClosingQuote, this.cursorLine, this.field, 0);
      }
      this.after = after;
      return value;
    }
  }
}
