import { describe, expect, it } from 'vitest';
import { CsvSyntaxError } from '../../../packages/activities/src/data/csv-errors.js';
import { CsvTokenizer } from '../../../packages/activities/src/data/formats/csv-tokenizer.js';
import { LineSplitter, LineTooLongError } from '../../../packages/activities/src/data/formats/line-splitter.js';
import {
  InvalidUtf8Error,
  Utf8Text,
  countLineBreaks,
  firstInvalidUtf8,
} from '../../../packages/activities/src/data/formats/utf8-text.js';

/** Splits bytes or text into pieces of `size`. */
function pieces<T extends { length: number; slice(a: number, b: number): T }>(whole: T, size: number): T[] {
  const out: T[] = [];
  for (let at = 0; at < whole.length; at += size) out.push(whole.slice(at, at + size));
  return out;
}

function decodeAll(bytes: Uint8Array, size: number): string {
  const text = new Utf8Text();
  return (
    pieces(bytes, size)
      .map((p) => text.decode(p))
      .join('') + text.end()
  );
}

function failure(fn: () => unknown): InvalidUtf8Error {
  try {
    fn();
  } catch (err) {
    if (err instanceof InvalidUtf8Error) return err;
    throw err;
  }
  throw new Error('expected an InvalidUtf8Error');
}

describe('Utf8Text', () => {
  const sample = Buffer.from('\ufeffaü✓😀z\n', 'utf8');

  it('decodes multi-byte characters split anywhere, and drops a leading BOM', () => {
    for (const size of [1, 2, 3, 4, 5, 64]) expect(decodeAll(sample, size), `size ${size}`).toBe('aü✓😀z\n');
  });

  it('names the offset of the first invalid byte, whatever the chunking', () => {
    const cases: [Buffer, number, number][] = [
      [Buffer.concat([Buffer.from('ab✓'), Buffer.from([0xff]), Buffer.from('c')]), 5, 0xff],
      [Buffer.concat([Buffer.from('ab✓'), Buffer.from([0xe2, 0x9c]), Buffer.from('x')]), 5, 0xe2],
      [Buffer.concat([Buffer.from('😀'), Buffer.from([0xc0, 0x80])]), 4, 0xc0], // overlong
      [Buffer.concat([Buffer.from('a'), Buffer.from([0xed, 0xa0, 0x80])]), 1, 0xed], // a surrogate
    ];
    for (const [bytes, offset, bad] of cases) {
      for (const size of [1, 2, 3, 64]) {
        const err = failure(() => decodeAll(bytes, size));
        expect([err.byteOffset, err.badByte], `${bytes.toString('hex')} in pieces of ${size}`).toEqual([offset, bad]);
      }
    }
  });

  it('fails at the end of input inside a sequence', () => {
    for (const size of [1, 2, 64]) {
      const err = failure(() => decodeAll(Buffer.concat([Buffer.from('ok\n'), Buffer.from([0xf0, 0x9f, 0x98])]), size));
      expect([err.byteOffset, err.validPrefix.endsWith('ok\n') || err.validPrefix === '']).toEqual([3, true]);
    }
  });

  it('firstInvalidUtf8 and countLineBreaks', () => {
    expect(firstInvalidUtf8(Buffer.from([0x61, 0xe2, 0x9c]), false)).toBe(-1);
    expect(firstInvalidUtf8(Buffer.from([0x61, 0xe2, 0x9c]), true)).toBe(1);
    expect(firstInvalidUtf8(Buffer.from([0x61, 0x80]), false)).toBe(1);
    expect(countLineBreaks('a\r\nb\nc\rd\r\n\n')).toBe(5);
  });
});

describe('CsvTokenizer', () => {
  const text = 'h1,h2\r\n"a ""b""",c\n\n"x\r\ny\rz",\r"",""\nlast,"q"';

  function tokenize(chunks: string[], maxRecordBytes = 1 << 20) {
    const records: [number, string[], number][] = [];
    const tokenizer = new CsvTokenizer({ delimiter: ',', quote: '"', maxRecordBytes }, (fields, line, stray) =>
      records.push([line, fields, stray]),
    );
    for (const chunk of chunks) tokenizer.push(chunk);
    tokenizer.end();
    return records;
  }

  it('gives the same records and start lines however the text is split', () => {
    const expected: [number, string[], number][] = [
      [1, ['h1', 'h2'], -1],
      [2, ['a "b"', 'c'], -1],
      [4, ['x\r\ny\rz', ''], -1],
      [7, ['', ''], -1],
      [8, ['last', 'q'], -1],
    ];
    for (const size of [1, 2, 3, 5, 7, 1000]) expect(tokenize(pieces(text, size)), `size ${size}`).toEqual(expected);
  });

  it('flags the first field with a stray quote, and ends the record at its line break', () => {
    expect(tokenize(['a,b"c,d"e\nf,g\n'])).toEqual([
      [1, ['a', 'b"c', 'd"e'], 1],
      [2, ['f', 'g'], -1],
    ]);
  });

  it('throws on an unclosed quote, on text after a closing quote, and on an over-long record', () => {
    const error = (chunks: string[], max?: number) => {
      try {
        tokenize(chunks, max);
      } catch (err) {
        if (err instanceof CsvSyntaxError) return [err.code, err.line, err.field, err.extra];
        throw err;
      }
      return undefined;
    };
    expect(error(['a,b\nc,"d\ne\n'])).toEqual(['CSV_QUOTE_NOT_CLOSED', 2, 1, 3]);
    expect(error(['a,b\n"x\ny"z,w\n'])).toEqual(['CSV_INVALID_CLOSING_QUOTE', 3, 0, 0]);
    expect(error(pieces(`a,b\n"${'x'.repeat(5000)}",1\n`, 64), 1000)).toEqual(['CSV_MAX_RECORD_SIZE', 2, 0, 1000]);
    // The limit is in bytes: 400 three-byte characters are 1200 bytes.
    expect(error([`a\n${'✓'.repeat(400)}\n`], 1000)).toEqual(['CSV_MAX_RECORD_SIZE', 2, 0, 1000]);
    expect(error([`a\n${'✓'.repeat(300)}\n`], 1000)).toBeUndefined();
  });
});

describe('LineSplitter', () => {
  it('numbers lines, drops a trailing \\r, and keeps the last line without a line break', () => {
    for (const size of [1, 2, 4, 100]) {
      const lines: [number, string][] = [];
      const splitter = new LineSplitter(1000, (text, line) => lines.push([line, text]));
      for (const piece of pieces('a\r\n\nbc\nd', size)) splitter.push(piece);
      splitter.end();
      expect(lines, `size ${size}`).toEqual([
        [1, 'a'],
        [2, ''],
        [3, 'bc'],
        [4, 'd'],
      ]);
    }
  });

  it('fails as soon as a partial line passes the limit', () => {
    const splitter = new LineSplitter(100, () => undefined);
    splitter.push('ok\n');
    let pushed = 0;
    expect(() => {
      for (; pushed < 1000; pushed++) splitter.push('x'.repeat(30));
    }).toThrow(LineTooLongError);
    expect(pushed).toBe(3);
  });
});
