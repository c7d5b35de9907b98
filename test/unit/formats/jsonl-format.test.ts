import { describe, expect, it } from 'vitest';
import { RowSchema, SlipwayErrorType } from '@slipway/sdk';
import { openRowReader } from '../../../packages/activities/src/data/index.js';
import { checkAll, generatorSource, gzip, memorySource, readAll, rejection } from './fixtures.js';

const ref = { uri: 'file:///d/events.jsonl' };

function read(
  text: string | Uint8Array,
  options: { chunk?: number; batchSize?: number; maxRecordBytes?: number } = {},
) {
  const { chunk, ...readerOptions } = options;
  return readAll(openRowReader(ref, memorySource('events.jsonl', text, chunk), readerOptions));
}

describe('JSON lines reader', () => {
  it('gives typed cells; nested values become JSON text; blank lines, CRLF and a BOM are fine', async () => {
    const text =
      '\ufeff{"id":"a","n":1.5,"ok":true,"tags":["x",1],"meta":{"k":null}}\r\n\r\n{"id":"b","n":null,"ok":false}\n';
    const batches = await read(text, { chunk: 3 });
    expect(batches).toHaveLength(1);
    expect(batches[0]).toEqual({
      columns: ['id', 'n', 'ok', 'tags', 'meta'],
      rows: [
        ['a', 1.5, true, '["x",1]', '{"k":null}'],
        ['b', null, false, undefined, undefined],
      ],
      positions: [{ line: 1 }, { line: 3 }],
      malformed: [],
    });
  });

  it('grows the columns as keys first appear; earlier batches keep the columns known then', async () => {
    const text = '{"a":1}\n{"a":2}\n{"b":"x","a":3}\n{"c":true}\n';
    const batches = await read(text, { batchSize: 2 });
    expect(batches.map((b) => b.columns)).toEqual([['a'], ['a', 'b', 'c']]);
    expect(batches.map((b) => b.rows)).toEqual([
      [[1], [2]],
      [
        [3, 'x'],
        [undefined, undefined, true],
      ],
    ]);
  });

  it('reports a line that is not a JSON object as a malformed row at its line, and reads on', async () => {
    const text = '{"id":"a","n":1,"ok":true}\nnot json\n[1,2]\n42\nnull\n{"id":"b"\n{"id":"c","n":3,"ok":false}';
    const batches = await read(text);
    expect(batches.flatMap((b) => b.positions)).toEqual([{ line: 1 }, { line: 7 }]);
    const malformed = batches.flatMap((b) => b.malformed);
    expect(malformed.map((m) => m.position)).toEqual([{ line: 2 }, { line: 3 }, { line: 4 }, { line: 5 }, { line: 6 }]);
    expect(malformed[0]?.message).toMatch(/^not valid JSON: /);
    expect(malformed.slice(1, 4).map((m) => m.message)).toEqual([
      'expected a JSON object, got an array',
      'expected a JSON object, got a number',
      'expected a JSON object, got null',
    ]);
    expect(malformed[4]?.message).toMatch(/^not valid JSON: /);
  });

  it('checks typed values strictly: a number column refuses a numeric string', async () => {
    const schema = RowSchema.parse({
      columns: { id: { type: 'string' }, n: { type: 'number', nullable: true }, ok: { type: 'boolean' } },
    });
    const text = '{"id":"a","n":"12","ok":true}\n{"id":7,"ok":1}\n{"id":"c","n":1e400,"ok":false}\n';
    const { rows } = await checkAll(ref, memorySource('events.jsonl', text), schema);
    expect(
      rows.flatMap((r) =>
        r.ok ? [] : r.failures.map((f) => `${JSON.stringify(f.position)} ${f.column}: ${f.message}`),
      ),
    ).toEqual([
      '{"line":1} n: expected a number, got the string "12"',
      '{"line":2} id: expected a string, got the number 7',
      '{"line":2} ok: expected a boolean, got the number 1',
      '{"line":3} n: expected a finite number, got Infinity',
    ]);
  });

  it('refuses a key the schema does not allow, naming the line it first appears on', async () => {
    const schema = RowSchema.parse({ columns: { id: { type: 'string' } }, allowExtraColumns: false });
    const text = '{"id":"a"}\n{"id":"b"}\n{"id":"c","secret":1}\n';
    const err = await rejection(checkAll(ref, memorySource('events.jsonl', text), schema, { batchSize: 2 }));
    expect(err).toMatchObject({ type: SlipwayErrorType.ValidationFailed });
    expect(err.message).toBe(
      'Dataset /memory/events.jsonl, line 3: unexpected key "secret" (the schema does not allow extra columns): ' +
        'the schema expects "id"',
    );
  });

  it('reads gzip and hashes the stored bytes; fails on an empty file and on invalid UTF-8 naming the line', async () => {
    const stored = gzip('{"a":1}\n{"a":2}\n');
    const reader = openRowReader({ uri: 'file:///d/e.jsonl.gz' }, memorySource('e.jsonl.gz', stored));
    expect((await readAll(reader)).flatMap((b) => b.rows)).toEqual([[1], [2]]);
    expect(reader.progress()).toEqual({ bytesRead: stored.length, totalBytes: stored.length, rowsRead: 2 });
    for (const empty of ['', '\n  \n\r\n']) {
      const err = await rejection(read(empty));
      expect(err.message).toBe('Dataset /memory/events.jsonl is empty: expected JSON lines');
    }
    const bad = Buffer.concat([Buffer.from('{"a":"ok"}\n{"a":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}\n')]);
    const err = await rejection(read(bad, { chunk: 2 }));
    expect(err).toMatchObject({ type: SlipwayErrorType.ValidationFailed });
    expect(err.message).toBe(
      'Dataset /memory/events.jsonl, line 2: invalid UTF-8 at byte 17 of the content (0xc3); the file must be UTF-8 encoded',
    );
  });

  it('never buffers a 1 GiB line: it fails after reading a few MiB of it (generator-backed source)', async () => {
    const GiB = 1024 ** 3;
    const chunk = Buffer.alloc(64 * 1024, 'z');
    const source = generatorSource('huge.jsonl', GiB, function* () {
      yield Buffer.from('{"a":1}\n{"a":"');
      for (let sent = 0; sent < GiB; sent += chunk.length) yield chunk;
    });
    const err = await rejection(
      readAll(openRowReader({ uri: 'file:///d/huge.jsonl' }, source, { maxRecordBytes: 1 << 20 })),
    );
    expect(err.message).toBe(
      'Dataset /generated/huge.jsonl, line 2: the line is longer than 1048576 bytes (raise maxRecordBytes if such lines are real)',
    );
    expect(source.pulled()).toBeLessThan(4 * 1024 * 1024);
  });
});
