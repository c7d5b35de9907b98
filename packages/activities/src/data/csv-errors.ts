/**
 * Turns csv-parse errors into messages that say what is wrong with the file and where. These are the errors
 * after which the parser cannot go on, so the rest of the file is unreadable.
 */

/** A parse error described for people: the message names the file and the line. */
export interface DescribedParseError {
  message: string;
  line: number;
}

interface CsvErrorLike {
  code: string;
  message: string;
  lines?: number;
}

function isCsvError(err: unknown): err is CsvErrorLike {
  if (err === null || typeof err !== 'object') return false;
  const { code, message } = err as { code?: unknown; message?: unknown };
  return (
    typeof code === 'string' &&
    typeof message === 'string' &&
    (code.startsWith('CSV_') || code === 'INVALID_OPENING_QUOTE')
  );
}

/**
 * Describes a csv-parse error, or returns `undefined` when `err` is not one. `lastLine` is the line the last
 * complete record ended on, which locates an unclosed quote better than the parser's end-of-file line;
 * `correctLine` maps the parser's line count to real file lines (see the CSV reader).
 */
export function describeParseError(
  err: unknown,
  path: string,
  lastLine: number,
  correctLine: (parserLine: number) => number = (n) => n,
): DescribedParseError | undefined {
  if (!isCsvError(err)) return undefined;
  const line = typeof err.lines === 'number' && err.lines > 0 ? correctLine(err.lines) : lastLine + 1;
  const detail = `(csv-parse ${err.code}: ${err.message})`;
  switch (err.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return {
        line: lastLine + 1,
        message:
          `Dataset ${path}, line ${lastLine + 1}: unbalanced quote: a quoted field that starts on or after line ` +
          `${lastLine + 1} is never closed (the file ends at line ${line}) ${detail}`,
      };
    case 'INVALID_OPENING_QUOTE':
      return {
        line,
        message: `Dataset ${path}, line ${line}: stray quote: a quote inside an unquoted field (quote the whole field and double the inner quote: "a ""b"" c") ${detail}`,
      };
    case 'CSV_INVALID_CLOSING_QUOTE':
      return {
        line,
        message: `Dataset ${path}, line ${line}: malformed quoting: a closing quote must be followed by a delimiter or the end of the line ${detail}`,
      };
    case 'CSV_MAX_RECORD_SIZE':
      return {
        line: lastLine + 1,
        message:
          `Dataset ${path}, line ${lastLine + 1}: the record starting there is too long; ` +
          `this is usually an unclosed quote ${detail}`,
      };
    default:
      return { line, message: `Dataset ${path}, line ${line}: cannot parse the CSV ${detail}` };
  }
}
