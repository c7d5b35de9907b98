import { DatasetRef, datasetEncoding } from '@slipway/sdk';
import { describe, expect, it } from 'vitest';

const encoding = (uri: string, extra: object = {}) => datasetEncoding(DatasetRef.parse({ uri, ...extra }));

describe('dataset references', () => {
  it('accepts file:// and s3://bucket/key, and nothing else', () => {
    expect(DatasetRef.safeParse({ uri: 'file:///data/a.csv' }).success).toBe(true);
    expect(DatasetRef.safeParse({ uri: 's3://bucket/path/a.parquet' }).success).toBe(true);
    expect(DatasetRef.safeParse({ uri: 's3://bucket-only' }).success).toBe(false);
    expect(DatasetRef.safeParse({ uri: 'https://example.test/a.csv' }).success).toBe(false);
  });

  it('infers format, compression and delimiter from the name', () => {
    expect(encoding('file:///d/a.csv')).toEqual({
      format: 'csv',
      compression: 'none',
      csv: { delimiter: ',', quote: '"' },
    });
    expect(encoding('s3://b/a.tsv.gz')).toMatchObject({ format: 'csv', compression: 'gzip', csv: { delimiter: '\t' } });
    expect(encoding('file:///d/a.ndjson')).toMatchObject({ format: 'jsonl', compression: 'none' });
    expect(encoding('file:///d/a.parquet')).toMatchObject({ format: 'parquet' });
  });

  it('lets explicit settings win, and names the URI when it cannot tell', () => {
    expect(encoding('file:///d/export', { format: 'csv', csv: { delimiter: ';' } })).toMatchObject({
      format: 'csv',
      csv: { delimiter: ';' },
    });
    expect(() => encoding('file:///d/export.bin')).toThrow(/cannot tell the format of file:\/\/\/d\/export.bin/);
  });
});
