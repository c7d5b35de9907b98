/**
 * The split files a trainer process reads: written by streaming, reproducible by seed, with digests and row counts
 * that are those of the files, columns in the protocol's order and RFC 4180 quoting.
 */
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RowSchema, SlipwayErrorType, type PinnedDatasetRef } from '@slipway/sdk';
import { createFsArtifactStore } from '../../../packages/activities/src/artifacts/index.js';
import { createValidateActivity } from '../../../packages/activities/src/steps/validate.js';
import type { ActivityHooks } from '../../../packages/activities/src/data/activity-context.js';
import { csvCell, csvRecord } from '../../../packages/activities/src/train/csv-split-writer.js';
import {
  sortClasses,
  writeSplitFiles,
  type SplitFilesInput,
} from '../../../packages/activities/src/train/split-files.js';
import { createCsvDir, rejection, type CsvDir } from '../data/fixtures.js';
import { customerCsv, customerFeatures, customerSchema, customers } from './synthetic.js';

let files: CsvDir;
let out: string;
let dataset: PinnedDatasetRef;

const hooks: ActivityHooks = {
  inActivity: false,
  heartbeat: () => undefined,
  signal: new AbortController().signal,
  heartbeatDetails: undefined,
};
const heartbeats = { reading: () => undefined };

async function pin(name: string, text: string, maxBadRowShare = 0): Promise<PinnedDatasetRef> {
  const store = await mkdtemp(join(tmpdir(), 'slipway-split-store-'));
  try {
    const { uri } = await files.write(name, text);
    const validated = await createValidateActivity({ artifacts: createFsArtifactStore(store) })({
      dataset: { uri },
      schema: customerSchema,
      maxBadRowShare,
    });
    return validated.dataset;
  } finally {
    await rm(store, { recursive: true, force: true });
  }
}

beforeEach(async () => {
  files = await createCsvDir('slipway-split-');
  out = await mkdtemp(join(tmpdir(), 'slipway-split-out-'));
  dataset = await pin('churn.csv', customerCsv(customers(1000)));
});
afterEach(async () => {
  await files.remove();
  await rm(out, { recursive: true, force: true });
});

function input(overrides: Partial<SplitFilesInput> = {}): SplitFilesInput {
  return {
    dataset,
    schema: RowSchema.parse(customerSchema),
    features: customerFeatures,
    task: 'binary',
    seed: 42,
    testFraction: 0.2,
    ...overrides,
  };
}

async function fresh(): Promise<string> {
  return mkdtemp(join(out, 'run-'));
}

function sha256(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

describe('writeSplitFiles', () => {
  it('writes train and held-out CSV files whose digests and row counts are those of the files', async () => {
    const dir = await fresh();
    const splits = await writeSplitFiles(input(), dir, { hooks, heartbeats });
    for (const split of [splits.train, splits.heldout]) {
      const bytes = await readFile(split.path);
      expect(split.digest).toBe(sha256(bytes));
      const lines = bytes.toString('utf8').trimEnd().split('\n');
      expect(lines[0]).toBe('tenure_months,monthly_fee,plan,churned'); // numeric, categorical, target
      expect(lines.length - 1).toBe(split.rows);
    }
    expect(splits.train.rows + splits.heldout.rows).toBe(1000);
    // A seeded draw per row: about a fifth held out.
    expect(splits.heldout.rows).toBeGreaterThan(150);
    expect(splits.heldout.rows).toBeLessThan(250);
    expect(splits.classes).toEqual([false, true]);
    const [first] = (await readFile(splits.train.path, 'utf8')).split('\n').slice(1);
    expect(first).toMatch(/^\d+,[\d.]+,(basic|pro|team),(true|false)$/);
  });

  it('is reproducible: the same seed gives the same files, another seed other ones', async () => {
    const a = await writeSplitFiles(input(), await fresh(), { hooks, heartbeats });
    const b = await writeSplitFiles(input(), await fresh(), { hooks, heartbeats });
    expect([b.train.digest, b.heldout.digest, b.train.rows]).toEqual([a.train.digest, a.heldout.digest, a.train.rows]);
    const c = await writeSplitFiles(input({ seed: 7 }), await fresh(), { hooks, heartbeats });
    expect(c.heldout.digest).not.toBe(a.heldout.digest);
    expect(c.train.rows + c.heldout.rows).toBe(1000);
  });

  it('writes rows to disk while the dataset is still being read (no rows held in memory)', async () => {
    dataset = await pin('big.csv', customerCsv(customers(60_000)));
    const dir = await fresh();
    let heldOut = 0;
    let sizeMidway = -1;
    const splits = await writeSplitFiles(input(), dir, {
      hooks,
      heartbeats,
      onHeldOut: () => {
        // About half-way through the read, the training file already holds most of its rows so far on disk.
        if (++heldOut === 6000) sizeMidway = statSync(join(dir, 'train.csv')).size;
      },
    });
    const finalSize = statSync(splits.train.path).size;
    expect(sizeMidway).toBeGreaterThan(finalSize / 4);
    expect(sizeMidway).toBeLessThan(finalSize);
  });

  it('drops rows that fail the schema or have no target value, as the built-in trainer does', async () => {
    const text = [
      'customer_id,tenure_months,monthly_fee,plan,churned',
      'a,1,20,basic,yes',
      'b,2,30,gold,no', // plan not in the schema's values
      'c,3,40,pro,', // no target
      ...Array.from({ length: 40 }, (_, i) => `d${i},${i},${20 + i},pro,${i % 2 ? 'yes' : 'no'}`),
    ].join('\n');
    dataset = await pin('dirty.csv', text + '\n', 0.1);
    const splits = await writeSplitFiles(input(), await fresh(), { hooks, heartbeats });
    expect(splits.train.rows + splits.heldout.rows).toBe(41);
  });

  it('fails with DigestMismatch when the dataset changed since it was pinned', async () => {
    await writeFile(new URL(dataset.uri), customerCsv(customers(1000, 8)));
    const err = await rejection(writeSplitFiles(input(), await fresh(), { hooks, heartbeats }));
    expect(err.type).toBe(SlipwayErrorType.DigestMismatch);
  });

  it('refuses a classification target with fewer than 2 classes, and a split side left empty', async () => {
    const one = ['customer_id,tenure_months,monthly_fee,plan,churned', 'a,1,20,basic,yes', 'b,2,20,basic,yes'];
    dataset = await pin('one.csv', one.join('\n') + '\n');
    const err = await rejection(writeSplitFiles(input({ testFraction: 0.5 }), await fresh(), { hooks, heartbeats }));
    expect(err.type).toBe(SlipwayErrorType.InvalidInput);
    expect(err.message).toMatch(/training|held-out|classes/);
    expect(await readdir(out)).toHaveLength(1);
    const three = [
      'customer_id,tenure_months,monthly_fee,plan,churned',
      ...Array.from({ length: 30 }, (_, i) => `c${i},${i},20,${['basic', 'pro', 'team'][i % 3]},yes`),
    ];
    dataset = await pin('plans.csv', three.join('\n') + '\n');
    const binary = await rejection(
      writeSplitFiles(input({ features: { ...customerFeatures, target: 'plan', categorical: [] } }), await fresh(), {
        hooks,
        heartbeats,
      }),
    );
    expect(binary.message).toContain('A binary task needs exactly 2 classes; target column "plan" holds 3');
  });
});

describe('CSV cells', () => {
  it('quotes commas, quotes, line breaks and padded text (RFC 4180); null is an empty cell', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell(' padded')).toBe('" padded"');
    expect(csvCell('')).toBe('""');
    expect(csvCell(null)).toBe('');
    expect(csvCell(0.1)).toBe('0.1');
    expect(csvCell(false)).toBe('false');
    expect(csvRecord(['x', 1, null, 'y,z'])).toBe('x,1,,"y,z"');
  });

  it('sorts classes as scikit-learn does for one type', () => {
    expect(sortClasses([10, 2, 1])).toEqual([1, 2, 10]);
    expect(sortClasses(['b', 'B', 'a'])).toEqual(['B', 'a', 'b']);
    expect(sortClasses([true, false])).toEqual([false, true]);
  });
});
