/**
 * The CSV syntax errors after which the rest of a file cannot be read, and messages that say what is wrong
 * with the file and where. (A stray quote inside an unquoted field is not one of them: the record still ends
 * at its line break, so that row alone is reported bad and the read goes on.)
 */

import { quoteValue } from '../util/bounded-sample.js';

/** The codes of CSV errors that end a read. */
export const CsvErrorCode = {
  /** A quoted field is never closed. */
  QuoteNotClosed: 'CSV_QUOTE_NOT_CLOSED',
  /** A closing quote is followed by something other than a delimiter or a line break. */
  InvalidClosingQuote: 'CSV_INVALID_CLOSING_QUOTE',
  /** A single record is longer than the limit. */
  MaxRecordSize: 'CSV_MAX_RECORD_SIZE',
} as const;
/** The code of a CSV error that ends a read. */
export type CsvErrorCode = (typeof CsvErrorCode)[keyof typeof CsvErrorCode];

/** A CSV syntax error found by the tokenizer, with the exact place it was found. */
export class CsvSyntaxError extends Error {
  constructor(
    readonly code: CsvErrorCode,
    /** The 1-based line of the problem (for an unclosed quote: the line the quoted field starts on). */
    readonly line: number,
    /** The 0-based index of the field in its record. */
    readonly field: number,
    /** For an unclosed quote, the last line of the file; for a long record, the limit in bytes. */
    readonly extra: number,
  ) {
    super(`${code} at line ${line}, field ${field + 1}`);
    this.name = 'CsvSyntaxError';
  }
}

/** A parse error described for people: the message names the file and the line. */
export interface DescribedParseError {
  message: string;
  line: number;
}

/** `field 3 ("plan")`: the header's name of the field, quoted as a bounded value (see `quoteValue`). */
function fieldName(field: number, header: readonly string[] | undefined): string {
  const name = header?.[field];
  return name === undefined ? `field ${field + 1}` : `field ${field + 1} (${quoteValue(name)})`;
}

/**
 * Describes a {@link CsvSyntaxError} for the dataset `name` (a path or `s3://` URI), or returns `undefined`
 * when `err` is not one. `header` (when read) names the field the error is in.
 */
export function describeParseError(
  err: unknown,
  name: string,
  header?: readonly string[],
): DescribedParseError | undefined {
  if (!(err instanceof CsvSyntaxError)) return undefined;
  const { code, line, field, extra } = err;
  const where = `Dataset ${name}, line ${line}`;
  switch (code) {
    case CsvErrorCode.QuoteNotClosed:
      return {
        line,
        message:
          `${where}: unbalanced quote: the quoted ${fieldName(field, header)} that starts on line ${line} is ` +
          `never closed (the file ends at line ${extra}) [${code}]`,
      };
    case CsvErrorCode.InvalidClosingQuote:
      return {
        line,
        message:
          `${where}: malformed quoting in ${fieldName(field, header)}: a closing quote must be followed by a ` +
          `delimiter or the end of the line (to put a quote inside a quoted field, double it) [${code}]`,
      };
    case CsvErrorCode.MaxRecordSize:
      return {
        line,
        message:
          `${where}: the record starting there is longer than ${extra} bytes; this is usually an unclosed ` +
          `quote (raise maxRecordBytes if such records are real) [${code}]`,
      };
  }
}

/** The message of a record with a stray quote inside an unquoted field (a bad row, not the end of the read). */
export function strayQuoteMessage(field: number, header: readonly string[] | undefined, quote: string): string {
  const q = quote;
  return (
    `stray quote in ${fieldName(field, header)}: a quote inside an unquoted field ` +
    `(quote the whole field and double the inner quote: ${q}a ${q}${q}b${q}${q} c${q})`
  );
}
