import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RowSchema, SlipwayErrorType } from '@slipway/sdk';
import { sha256OfFile } from '../../../packages/activities/src/util/digest.js';
import { readCsvRows, type CsvRowEvent } from '../../../packages/activities/src/data/index.js';
import { collect, createCsvDir, csv, rejection, type CsvDir } from './fixtures.js';

const schema = RowSchema.parse({
  columns: {
    customer_id: { type: 'string' },
    tenure_months: { type: 'number', integer: true, min: 0 },
    plan: { type: 'string', values: ['basic', 'pro'] },
    churned: { type: 'boolean' },
  },
});

let files: CsvDir;
beforeEach(async () => {
  files = await createCsvDir();
});
afterEach(async () => {
  await files.remove();
});

function bad(events: CsvRowEvent[]) {
  return events.flatMap((e) => (e.ok ? [] : e.failures));
}

describe('readCsvRows', () => {
  it('yields typed rows with 1-based file lines and the sha256 of the raw bytes', async () => {
    const { uri, path } = await files.write(
      'good.csv',
      csv('customer_id,tenure_months,plan,churned', 'c1,12,basic,false', 'c2,0,pro,TRUE', 'c3,40,pro,no'),
    );
    const reader = readCsvRows(uri, { schema });
    const events = await collect(reader);
    expect(events).toEqual([
      { ok: true, line: 2, row: { customer_id: 'c1', tenure_months: 12, plan: 'basic', churned: false } },
      { ok: true, line: 3, row: { customer_id: 'c2', tenure_months: 0, plan: 'pro', churned: true } },
      { ok: true, line: 4, row: { customer_id: 'c3', tenure_months: 40, plan: 'pro', churned: false } },
    ]);
    const expected = await sha256OfFile(path);
    expect(reader.digest()).toBe(expected.digest);
    expect(reader.bytesRead).toBe(expected.size);
    expect(reader.header).toEqual(['customer_id', 'tenure_months', 'plan', 'churned']);
    expect(reader.path).toBe(path);
  });

  it('reports a bad cell with its line and column, and keeps reading', async () => {
    const lines = ['customer_id,tenure_months,plan,churned'];
    for (let i = 2; i <= 20; i++) lines.push(i === 14 ? `c${i},abc,basic,no` : `c${i},${i},basic,no`);
    const { uri } = await files.write('bad-cell.csv', csv(...lines));
    const events = await collect(readCsvRows(uri, { schema }));
    expect(events).toHaveLength(19);
    expect(bad(events)).toEqual([{ line: 14, column: 'tenure_months', message: 'expected a number, got "abc"' }]);
    expect(events.filter((e) => e.ok)).toHaveLength(18);
  });

  it('reports every failing cell of a row', async () => {
    const { uri } = await files.write('two-bad.csv', csv('customer_id,tenure_months,plan,churned', 'c1,-3,gold,maybe'));
    expect(bad(await collect(readCsvRows(uri, { schema })))).toEqual([
      { line: 2, column: 'tenure_months', message: 'expected a number >= 0, got "-3"' },
      { line: 2, column: 'plan', message: 'expected one of "basic", "pro", got "gold"' },
      { line: 2, column: 'churned', message: 'expected a boolean (true/false, 1/0, yes/no), got "maybe"' },
    ]);
  });

  it('fails with ValidationFailed naming the missing and expected columns, never quoting the header found', async () => {
    const { uri, path } = await files.write('missing.csv', csv('customer_id,plan_secret', 'c1,basic'));
    const err = await rejection(collect(readCsvRows(uri, { schema })));
    expect(err).toMatchObject({ type: SlipwayErrorType.ValidationFailed, nonRetryable: true });
    expect(err.message).toBe(
      `Dataset ${path}, header (line 1): missing columns "tenure_months", "plan", "churned": the schema expects ` +
        '"customer_id", "tenure_months", "plan", "churned"; the header found has 2 columns (not quoted: a file that ' +
        'does not match the schema is not shown)',
    );
    expect(JSON.stringify(err.details)).not.toContain('plan_secret');
  });

  it('refuses extra columns only when the schema says so', async () => {
    const content = csv('customer_id,tenure_months,plan,churned,notes', 'c1,1,basic,no,hello');
    const { uri } = await files.write('extra.csv', content);
    expect((await collect(readCsvRows(uri, { schema }))).every((e) => e.ok)).toBe(true);
    const strict = RowSchema.parse({ ...schema, allowExtraColumns: false });
    const err = await rejection(collect(readCsvRows(uri, { schema: strict })));
    expect(err.type).toBe(SlipwayErrorType.ValidationFailed);
    expect(err.message).toContain('unexpected column "notes" (the schema does not allow extra columns)');
  });

  it('refuses a header that names a schema column twice', async () => {
    const { uri } = await files.write(
      'dup.csv',
      csv('customer_id,tenure_months,plan,churned,plan', 'c1,1,basic,no,pro'),
    );
    const err = await rejection(collect(readCsvRows(uri, { schema })));
    expect(err.type).toBe(SlipwayErrorType.ValidationFailed);
    expect(err.message).toContain('duplicate column: fields 3 and 5 of the header have the same name');
  });

  it('treats a ragged row as a bad row with the line and the field counts', async () => {
    const { uri } = await files.write(
      'ragged.csv',
      csv(
        'customer_id,tenure_months,plan,churned',
        'c1,1,basic,no',
        'c2,2,basic',
        'c3,3,pro,yes,extra',
        'c4,4,pro,yes',
      ),
    );
    const events = await collect(readCsvRows(uri, { schema }));
    expect(events.map((e) => e.ok)).toEqual([true, false, false, true]);
    expect(bad(events)).toEqual([
      { line: 3, column: null, message: 'expected 4 fields (as in the header), found 3' },
      { line: 4, column: null, message: 'expected 4 fields (as in the header), found 5' },
    ]);
  });

  it('fails with ValidationFailed naming the file and line on an unbalanced quote', async () => {
    const { uri, path } = await files.write(
      'quote.csv',
      csv('customer_id,tenure_months,plan,churned', 'c1,1,basic,no', '"c2,2,basic,no', 'c3,3,pro,yes'),
    );
    const err = await rejection(collect(readCsvRows(uri, { schema })));
    expect(err).toMatchObject({ type: SlipwayErrorType.ValidationFailed, nonRetryable: true });
    expect(err.message).toContain(`Dataset ${path}, line 3: unbalanced quote`);
    expect(err.message).toContain('CSV_QUOTE_NOT_CLOSED');
  });

  it('fails with ValidationFailed naming the line of a malformed closing quote', async () => {
    const { uri, path } = await files.write(
      'closing.csv',
      csv('customer_id,tenure_months,plan,churned', 'c1,1,basic,no', 'c2,2,basic,no', '"c3"x,3,pro,yes'),
    );
    const err = await rejection(collect(readCsvRows(uri, { schema })));
    expect(err.type).toBe(SlipwayErrorType.ValidationFailed);
    expect(err.message).toContain(`Dataset ${path}, line 4: malformed quoting`);
  });

  it('reports a stray quote inside an unquoted field as a bad row at its line, and keeps reading', async () => {
    const { uri } = await files.write(
      'stray.csv',
      csv('customer_id,tenure_months,plan,churned', 'c1,1,basic,no', 'c"2,2,basic,no', 'c3,3,pro,yes'),
    );
    const events = await collect(readCsvRows(uri, { schema }));
    expect(events.map((e) => e.ok)).toEqual([true, false, true]);
    expect(bad(events)).toEqual([
      {
        line: 3,
        column: null,
        message:
          'stray quote in field 1 ("customer_id"): a quote inside an unquoted field ' +
          '(quote the whole field and double the inner quote: "a ""b"" c")',
      },
    ]);
  });

  it('fails on a runaway record instead of buffering the whole file', async () => {
    const { uri, path } = await files.write(
      'long.csv',
      csv('customer_id,tenure_months,plan,churned', `"${'x'.repeat(200)}`),
    );
    const err = await rejection(collect(readCsvRows(uri, { schema, maxRecordBytes: 100 })));
    expect(err.type).toBe(SlipwayErrorType.ValidationFailed);
    expect(err.message).toContain(`Dataset ${path}, line 2: the record starting there is longer than 100 bytes`);
    expect(err.message).toContain('CSV_MAX_RECORD_SIZE');
  });

  it('drops a UTF-8 byte-order mark but hashes it', async () => {
    const text = csv('customer_id,tenure_months,plan,churned', 'c1,1,basic,no');
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]);
    const { uri, path } = await files.write('bom.csv', bytes);
    const reader = readCsvRows(uri, { schema });
    const events = await collect(reader);
    expect(reader.header?.[0]).toBe('customer_id');
    expect(events).toEqual([
      { ok: true, line: 2, row: { customer_id: 'c1', tenure_months: 1, plan: 'basic', churned: false } },
    ]);
    expect(reader.digest()).toBe((await sha256OfFile(path)).digest);
  });

  it('numbers lines by where a record starts (quoted newlines, CRLF, blank lines)', async () => {
    const content = 'customer_id,tenure_months,plan,churned\r\n"multi\r\nline",1,basic,no\r\n\r\nc3,x,pro,yes\r\n';
    const { uri } = await files.write('lines.csv', content);
    const events = await collect(readCsvRows(uri, { schema }));
    expect(events[0]).toEqual({
      ok: true,
      line: 2,
      row: { customer_id: 'multi\r\nline', tenure_months: 1, plan: 'basic', churned: false },
    });
    expect(bad(events)).toEqual([{ line: 5, column: 'tenure_months', message: 'expected a number, got "x"' }]);
  });

  it('keeps line numbers right after quoted newlines, in errors too', async () => {
    const content =
      'customer_id,tenure_months,plan,churned\r\n"a\r\nb\r\nc",1,basic,no\r\nc2,2,pro,no\r\n"c3"x,3,pro,no\r\n';
    const { uri, path } = await files.write('crlf-error.csv', content);
    const err = await rejection(collect(readCsvRows(uri, { schema })));
    expect(err.message).toContain(`Dataset ${path}, line 6: malformed quoting`);
  });

  it('fails with ValidationFailed on an empty file', async () => {
    const { uri, path } = await files.write('empty.csv', '');
    const err = await rejection(collect(readCsvRows(uri, { schema })));
    expect(err).toMatchObject({ type: SlipwayErrorType.ValidationFailed });
    expect(err.message).toBe(`Dataset ${path} is empty: expected a header line`);
  });

  it('reads a header-only file as zero rows', async () => {
    const { uri } = await files.write('header.csv', csv('customer_id,tenure_months,plan,churned'));
    const reader = readCsvRows(uri, { schema });
    expect(await collect(reader)).toEqual([]);
    expect(reader.digest()).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('fails with NotFound naming the path of a missing file', async () => {
    const { uri, path } = files.file('nope.csv');
    const err = await rejection(collect(readCsvRows(uri, { schema })));
    expect(err).toMatchObject({ type: SlipwayErrorType.NotFound, nonRetryable: true });
    expect(err.message).toContain(path);
    expect(err.message).toContain('does not exist');
  });

  it('refuses URIs that are not local file:// URIs', () => {
    let caught: unknown;
    try {
      readCsvRows('file://server/share/data.csv', { schema });
    } catch (err) {
      caught = err;
    }
    expect(caught).toMatchObject({ type: SlipwayErrorType.InvalidInput });
    expect((caught as Error).message).toContain('file://server/share/data.csv does not name a local file');
  });

  it('knows the digest only after the whole file was read, and can be read only once', async () => {
    const { uri } = await files.write(
      'once.csv',
      csv('customer_id,tenure_months,plan,churned', 'c1,1,basic,no', 'c2,2,pro,no'),
    );
    const reader = readCsvRows(uri, { schema });
    for await (const event of reader) {
      expect(event.ok).toBe(true);
      break;
    }
    expect(() => reader.digest()).toThrow(/known only once every row has been read/);
    expect(() => reader[Symbol.asyncIterator]()).toThrow(/can be iterated only once/);
  });

  it('stops with the abort reason when the signal aborts', async () => {
    const lines = ['customer_id,tenure_months,plan,churned'];
    for (let i = 0; i < 1000; i++) lines.push(`c${i},${i},basic,no`);
    const { uri } = await files.write('abort.csv', csv(...lines));
    const controller = new AbortController();
    const reader = readCsvRows(uri, { schema, signal: controller.signal });
    let seen = 0;
    const err = await rejection(
      (async () => {
        for await (const _event of reader) {
          if (++seen === 10) controller.abort(new Error('stop reading'));
        }
      })(),
    );
    expect(err.message).toBe('stop reading');
    expect(seen).toBe(10);
  });
});
