import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RowSchema } from '@slipway/sdk';
import { openByteSource } from '../../../packages/activities/src/sources/index.js';
import { checkAll } from './fixtures.js';

const ROWS = 200_000;
const schema = RowSchema.parse({
  columns: {
    customer_id: { type: 'string' },
    tenure_months: { type: 'number', integer: true, min: 0 },
    monthly_fee: { type: 'number', min: 0 },
    plan: { type: 'string', values: ['basic', 'pro'] },
    churned: { type: 'boolean' },
    score: { type: 'number' },
    signup: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}T' },
    note: { type: 'string', nullable: true },
    region: { type: 'string' },
    age: { type: 'number', integer: true, min: 18, max: 120 },
  },
});

/** Ten mixed columns; every 7th row has a quoted field with a comma and doubled quotes. */
function generate(rows: number): string {
  const lines = ['customer_id,tenure_months,monthly_fee,plan,churned,score,signup,note,region,age'];
  for (let i = 0; i < rows; i++) {
    const note = i % 7 === 0 ? '"said ""hi"", left"' : `note${i % 13}`;
    const day = String(1 + (i % 28)).padStart(2, '0');
    lines.push(
      `c${i},${i % 48},${(20 + (i % 7) * 5).toFixed(2)},${i % 3 ? 'basic' : 'pro'},${i % 4 === 0},` +
        `${(i * 1.7e-3).toExponential(3)},2024-01-${day}T10:00:00Z,${note},r${i % 5},${18 + (i % 60)}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

let dir: string;
let uri: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slipway-throughput-'));
  const path = join(dir, 'rows.csv');
  await writeFile(path, generate(ROWS));
  uri = pathToFileURL(path).href;
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('CSV throughput', () => {
  it(`reads and checks ${ROWS} rows × 10 columns from a file, and prints rows/s`, async () => {
    const started = performance.now();
    const { reader, rows } = await checkAll({ uri }, openByteSource(uri), schema);
    const seconds = (performance.now() - started) / 1000;
    expect(rows).toHaveLength(ROWS);
    expect(rows.every((row) => row.ok)).toBe(true);
    const mb = reader.progress().bytesRead / 1e6;
    console.log(
      `CSV read + check: ${ROWS} rows, ${mb.toFixed(1)} MB in ${seconds.toFixed(2)} s = ` +
        `${Math.round(ROWS / seconds)} rows/s (${(mb / seconds).toFixed(1)} MB/s)`,
    );
  });
});
