import { describe, expect, it } from 'vitest';
import { RowSchema, SlipwayErrorType } from '@slipway/sdk';
import { openRowReader } from '../../../packages/activities/src/data/index.js';
import { checkAll, generatorSource, gzip, memorySource, readAll, rejection } from './fixtures.js';

const schema = RowSchema.parse({
  columns: { id: { type: 'string' }, n: { type: 'number' }, flag: { type: 'boolean' } },
});
const csvRef = { uri: 'file:///d/data.csv' };

function read(text: string | Uint8Array, options: { chunk?: number; maxRecordBytes?: number } = {}, ref = csvRef) {
  const source = memorySource('data.csv', text, options.chunk);
  const reader = openRowReader(ref, source, options.maxRecordBytes === undefined ? {} : options);
  return { source, reader, batches: readAll(reader) };
}

describe('CSV reader', () => {
  it('gives string cells with 1-based lines, malformed ragged rows, and batches of at most batchSize', async () => {
    const text = 'id,n,flag\na,1,true\nb,2\nc,3,false,extra\n\nd,4,no\n';
    const reader = openRowReader(csvRef, memorySource('data.csv', text), { batchSize: 2 });
    const batches = await readAll(reader);
    expect(batches.map((b) => b.rows.length + b.malformed.length)).toEqual([2, 2]);
    expect(batches.flatMap((b) => b.rows)).toEqual([
      ['a', '1', 'true'],
      ['d', '4', 'no'],
    ]);
    expect(batches.flatMap((b) => b.positions)).toEqual([{ line: 2 }, { line: 6 }]);
    expect(batches.flatMap((b) => b.malformed)).toEqual([
      { position: { line: 3 }, message: 'expected 3 fields (as in the header), found 2' },
      { position: { line: 4 }, message: 'expected 3 fields (as in the header), found 4' },
    ]);
    expect(reader.columns).toEqual(['id', 'n', 'flag']);
    expect(reader.headerLine).toBe(1);
  });

  it('tokenizes the same records whatever the chunk boundaries (quotes, CRLF, lone CR, BOM, multi-byte)', async () => {
    const text =
      '\ufeffid,n,flag\r\n"a ""q"", b",1,true\r\n"multi\r\nline\nend",2,no\r"ü✓",3,yes\n\n"",4,1\n"last",5,0';
    const expected = await read(text, { chunk: 1 << 20 }).batches;
    for (const chunk of [1, 2, 3, 5, 8, 13]) {
      expect(await read(text, { chunk }).batches, `chunks of ${chunk}`).toEqual(expected);
    }
    const rows = expected.flatMap((b) => b.rows);
    expect(rows).toEqual([
      ['a "q", b', '1', 'true'],
      ['multi\r\nline\nend', '2', 'no'],
      ['ü✓', '3', 'yes'],
      ['', '4', '1'],
      ['last', '5', '0'],
    ]);
    expect(expected.flatMap((b) => b.positions)).toEqual([
      { line: 2 },
      { line: 3 },
      { line: 6 },
      { line: 8 },
      { line: 9 },
    ]);
  });

  it('reads tab-separated and gzip-compressed files, hashing the stored (compressed) bytes', async () => {
    const tsv = 'id\tn\tflag\n"a\tb"\t1\ttrue\nc\t2\tno\n';
    const stored = gzip(tsv);
    const { rows, reader } = await checkAll(
      { uri: 'file:///d/x.tsv.gz' },
      memorySource('x.tsv.gz', stored, 10),
      schema,
    );
    expect(rows.map((r) => (r.ok ? r.row : r.failures))).toEqual([
      { id: 'a\tb', n: 1, flag: true },
      { id: 'c', n: 2, flag: false },
    ]);
    expect(reader.progress()).toEqual({ bytesRead: stored.length, totalBytes: stored.length, rowsRead: 2 });
  });

  it('fails on an unbalanced quote naming the line the quoted field starts on and the field', async () => {
    const err = await rejection(read('id,n,flag\na,1,true\nb,"2,no\nc,3,yes\n').batches);
    expect(err).toMatchObject({ type: SlipwayErrorType.ValidationFailed, nonRetryable: true });
    expect(err.message).toBe(
      'Dataset /memory/data.csv, line 3: unbalanced quote: the quoted field 2 ("n") that starts on line 3 is ' +
        'never closed (the file ends at line 4) [CSV_QUOTE_NOT_CLOSED]',
    );
  });

  it('fails on text after a closing quote, naming its line after a multi-line field', async () => {
    const err = await rejection(read('id,n,flag\n"x\ny",1,true\n"b"c,2,no\n').batches);
    expect(err.message).toContain('Dataset /memory/data.csv, line 4: malformed quoting in field 1 ("id")');
    expect(err.message).toContain('[CSV_INVALID_CLOSING_QUOTE]');
  });

  it('fails on invalid UTF-8 naming the line of the bad byte (also inside gzip, also split across chunks)', async () => {
    const bytes = Buffer.concat([
      Buffer.from('id,n,flag\na,1,true\n"multi\nline",2,no\nc'),
      Buffer.from([0xff]),
      Buffer.from(',3,yes\n'),
    ]);
    const expected = 'Dataset /memory/data.csv, line 5: invalid UTF-8 at byte 38 of the content (0xff)';
    for (const chunk of [1, 4, 64 * 1024]) {
      const err = await rejection(read(bytes, { chunk }).batches);
      expect(err).toMatchObject({ type: SlipwayErrorType.ValidationFailed });
      expect(err.message).toContain(expected);
    }
    const gz = await rejection(read(gzip(bytes), {}, { uri: 'file:///d/data.csv.gz' }).batches);
    expect(gz.message).toContain(expected);
    const multiByte = Buffer.concat([
      Buffer.from('id,n,flag\n"ü✓",1,true\nc'),
      Buffer.from([0xff]),
      Buffer.from(',3,yes\n'),
    ]);
    for (const chunk of [1, 2, 3, 4, 64 * 1024]) {
      const err = await rejection(read(multiByte, { chunk }).batches);
      expect(err.message, `chunks of ${chunk}`).toContain('line 3: invalid UTF-8 at byte 26 of the content (0xff)');
    }
    const cutShort = Buffer.concat([Buffer.from('id,n,flag\na,1,'), Buffer.from([0xe2, 0x9c]), Buffer.from('x\n')]);
    for (const chunk of [1, 2, 3, 64 * 1024]) {
      const err = await rejection(read(cutShort, { chunk }).batches);
      expect(err.message, `chunks of ${chunk}`).toContain('line 2: invalid UTF-8 at byte 14 of the content (0xe2)');
    }
    const truncated = Buffer.concat([Buffer.from('id,n,flag\na,1,true\nb,2,'), Buffer.from([0xe2, 0x9c])]);
    const cut = await rejection(read(truncated, { chunk: 3 }).batches);
    expect(cut.message).toContain('line 3: invalid UTF-8 at byte 23 of the content (0xe2)');
  });

  it('fails on corrupt and on truncated gzip data', async () => {
    const stored = gzip('id,n,flag\n' + 'a,1,true\n'.repeat(1000));
    const corrupt = Buffer.from(stored);
    corrupt[2] = 0x55; // the compression method
    const ref = { uri: 'file:///d/data.csv.gz' };
    const bad = await rejection(read(corrupt, {}, ref).batches);
    expect(bad).toMatchObject({ type: SlipwayErrorType.ValidationFailed, nonRetryable: true });
    expect(bad.message).toMatch(/^Dataset \/memory\/data\.csv: the gzip data is corrupt or truncated .*Z_DATA_ERROR/);
    const truncated = await rejection(read(stored.subarray(0, stored.length - 30), {}, ref).batches);
    expect(truncated.message).toContain('the gzip data is corrupt or truncated');
    expect(truncated.message).toContain('Z_BUF_ERROR');
    const notGzip = await rejection(read('id,n,flag\n', {}, ref).batches);
    expect(notGzip.message).toContain('incorrect header check');
  });

  it('fails on an empty file, an empty gzip file and a file of blank lines', async () => {
    for (const [bytes, ref] of [
      ['', csvRef],
      [gzip(''), { uri: 'file:///d/data.csv.gz' }],
      ['\n\r\n\n', csvRef],
    ] as const) {
      const err = await rejection(read(bytes, {}, ref).batches);
      expect(err).toMatchObject({ type: SlipwayErrorType.ValidationFailed });
      expect(err.message).toBe('Dataset /memory/data.csv is empty: expected a header line');
    }
  });

  it('fails on a header that repeats a name', async () => {
    const err = await rejection(read('id,n, id\na,1,2\n').batches);
    expect(err).toMatchObject({ type: SlipwayErrorType.ValidationFailed });
    expect(err.message).toBe(
      'Dataset /memory/data.csv, header (line 1): duplicate column: fields 1 and 3 of the header have the same name',
    );
  });

  it('reads a multi-megabyte record under the limit, and fails on one over it', async () => {
    const big = 'x'.repeat(3 * 1024 * 1024);
    const text = `id,n,flag\n"${big}",1,true\nb,2,no\n`;
    const batches = await read(text).batches;
    expect(batches.flatMap((b) => b.rows).map((r) => String(r[0]).length)).toEqual([big.length, 1]);
    const err = await rejection(read(text, { maxRecordBytes: 1024 * 1024 }).batches);
    expect(err.message).toContain(
      'Dataset /memory/data.csv, line 2: the record starting there is longer than 1048576 bytes',
    );
  });

  it('never buffers a 1 GiB line: it fails after reading a few MiB of it (generator-backed source)', async () => {
    const GiB = 1024 ** 3;
    const chunk = Buffer.alloc(64 * 1024, 'y');
    const source = generatorSource('huge.csv', GiB, function* () {
      yield Buffer.from('id,n,flag\n"');
      for (let sent = 0; sent < GiB; sent += chunk.length) yield chunk;
    });
    const heapBefore = process.memoryUsage().heapUsed;
    const err = await rejection(readAll(openRowReader(csvRef, source, { maxRecordBytes: 1024 * 1024 })));
    expect(err).toMatchObject({ type: SlipwayErrorType.ValidationFailed });
    expect(err.message).toContain(
      '/generated/huge.csv, line 2: the record starting there is longer than 1048576 bytes',
    );
    expect(source.pulled()).toBeLessThan(8 * 1024 * 1024);
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(256 * 1024 * 1024);
  });

  it('can be iterated once, and knows its digest only after a complete read', async () => {
    const reader = openRowReader(csvRef, memorySource('data.csv', 'id,n,flag\na,1,true\n'));
    expect(() => reader.digest()).toThrow(/known only once every row has been read/);
    await readAll(reader);
    expect(reader.digest()).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(() => reader[Symbol.asyncIterator]()).toThrow(/can be iterated only once/);
  });

  it('stops with the abort reason', async () => {
    const controller = new AbortController();
    const text = 'id,n,flag\n' + 'a,1,true\n'.repeat(10_000);
    const reader = openRowReader(csvRef, memorySource('data.csv', text, 1024), {
      signal: controller.signal,
      batchSize: 10,
    });
    let batches = 0;
    const err = await rejection(
      (async () => {
        for await (const _batch of reader) if (++batches === 3) controller.abort(new Error('stop now'));
      })(),
    );
    expect(err.message).toBe('stop now');
    expect(batches).toBeLessThan(200);
  });
});
