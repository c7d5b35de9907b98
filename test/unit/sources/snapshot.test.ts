import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlipwayErrorType, datasetEncoding } from '@slipway/sdk';
import { snapshotDataset } from '../../../packages/worker/src/cli/commands/data.js';
import { loadConfig, type SlipwayConfig } from '../../../packages/worker/src/config/index.js';

let dir: string;
let config: SlipwayConfig;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slipway-snapshot-'));
  config = loadConfig({ cwd: dir, env: {}, overrides: { home: join(dir, 'home') } });
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const digestOf = (bytes: Uint8Array): string => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

describe('snapshotDataset', () => {
  it('copies the stored bytes under their digest, keeping the extension, and gives the same ref twice', async () => {
    const stored = gzipSync('id,score\n1,0.5\n2,0.25\n');
    const path = join(dir, 'scores.2024.csv.gz');
    await writeFile(path, stored);
    const ref = await snapshotDataset(config, path);
    expect(ref).toEqual({
      uri: expect.stringMatching(/\/home\/artifacts\/sha256\/[0-9a-f]{2}\/[0-9a-f]{64}\.csv\.gz$/),
      digest: digestOf(stored),
      format: 'csv',
      compression: 'gzip',
      size: stored.length,
    });
    expect((await readFile(fileURLToPath(ref.uri))).equals(stored)).toBe(true);
    expect(datasetEncoding({ uri: ref.uri })).toMatchObject({ format: 'csv', compression: 'gzip' });
    expect(await snapshotDataset(config, pathToFileURL(path).href)).toEqual(ref);
  });

  it('records the dialect of a TSV, and reports progress up to the total', async () => {
    const path = join(dir, 'rows.tsv');
    await writeFile(path, 'a\tb\n1\t2\n');
    const seen: Array<[number, number]> = [];
    const ref = await snapshotDataset(config, path, { onProgress: (copied, total) => seen.push([copied, total]) });
    expect(ref.uri.endsWith('.tsv')).toBe(true);
    expect(ref.csv).toEqual({ delimiter: '\t', quote: '"' });
    expect(seen.at(-1)).toEqual([8, 8]);
  });

  it('names the snapshot by the format given when the name does not tell it', async () => {
    const path = join(dir, 'export.bin');
    await writeFile(path, '{"a":1}\n');
    await expect(snapshotDataset(config, path)).rejects.toThrow(
      `cannot tell the format of ${pathToFileURL(path).href} from its name: pass --format csv, jsonl or parquet`,
    );
    const ref = await snapshotDataset(config, path, { format: 'jsonl' });
    expect(ref.uri.endsWith('.jsonl')).toBe(true);
    expect(datasetEncoding({ uri: ref.uri }).format).toBe('jsonl');
    const gz = await snapshotDataset(config, path, { format: 'csv', compression: 'gzip' });
    expect(gz.uri.endsWith('.csv.gz')).toBe(true);
  });

  it('fails on a missing file with NotFound naming it', async () => {
    const missing = join(dir, 'missing.csv');
    await expect(snapshotDataset(config, missing)).rejects.toMatchObject({
      type: SlipwayErrorType.NotFound,
      message: `Dataset file ${missing} does not exist`,
    });
  });
});
