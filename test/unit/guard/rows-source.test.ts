/**
 * The rows monitor source on real files: JSON lines and Parquet under a directory inside the dataset roots, read
 * by the real dataset readers through the dataset roots, against a version registered with its real profiles.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GuardReport, SlipwayErrorType, failureType } from '@slipway/sdk';
import { createGuardCheckActivity, type GuardCheckInput } from '../../../packages/activities/src/guard/index.js';
import { openWorld, tempDir, trainingRows, type TestWorld } from '../serve/fixtures.js';
import { toJsonl, toParquet } from '../formats/fixtures.js';
import { POLICY, registerGuarded, servedTable } from './fixtures.js';

const T0 = Date.parse('2026-03-01T00:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();
const PARQUET_TYPES = ['STRING', 'DOUBLE', 'STRING', 'DOUBLE'] as const;

describe('guard-check activity (rows source)', () => {
  let world: TestWorld;
  let data: { path: string; cleanup: () => Promise<void> };
  let outside: { path: string; cleanup: () => Promise<void> };
  let check: ReturnType<typeof createGuardCheckActivity>;
  let dir: string;

  const input = (over: Partial<GuardCheckInput> = {}): GuardCheckInput => ({
    checkId: 'rows-1',
    model: 'churn',
    source: { kind: 'rows', uri: pathToFileURL(dir).href, predictionColumn: 'score' },
    window: { from: iso(T0), to: iso(T0 + 10_000) },
    policy: POLICY,
    ...over,
  });

  beforeAll(async () => {
    world = await openWorld('guard-rows');
    data = await tempDir('guard-rows-data');
    outside = await tempDir('guard-rows-outside');
    await registerGuarded(world, 'churn');
    await world.registry.setAlias('churn', 'champion', 1);
    check = createGuardCheckActivity({
      artifacts: world.artifacts,
      registry: world.registry,
      datasetAccess: { roots: [data.path], denied: [] },
    });
    // (T0, T0+10s]: 400 rows as in training, as JSON lines. (T0+10s, T0+20s]: 300 shifted rows, as Parquet in a
    // subdirectory. A marker file and a CSV are not served rows and are skipped.
    dir = join(data.path, 'served');
    await mkdir(join(dir, 'day-2'), { recursive: true });
    await writeFile(join(dir, 'part-0.jsonl'), toJsonl(servedTable(trainingRows(400), T0 + 1, { stepMs: 10 })));
    const shifted = servedTable(trainingRows(300, { shift: 15 }), T0 + 10_001, { stepMs: 10 });
    await writeFile(join(dir, 'day-2', 'part-1.parquet'), toParquet(shifted, [...PARQUET_TYPES], 64));
    await writeFile(join(dir, '_SUCCESS'), '');
    await writeFile(join(dir, 'notes.csv'), 'a,b\n1,2\n');
  });

  afterAll(async () => {
    await world?.close();
    await data?.cleanup();
    await outside?.cleanup();
  });

  it('reads the JSON lines rows of the window: no drift', async () => {
    const result = await check(input());
    expect(result).toMatchObject({ samples: 400, enoughSamples: true, drifted: false, health: null });
    expect(result.prediction).toMatchObject({ test: 'psi', drifted: false });
    const report = GuardReport.parse(await world.artifacts.getJson(result.report));
    expect(report.source).toContain('2 JSON lines/Parquet files');
    expect(report.source).toContain('timestamp column "ts"');
  });

  it('reads the Parquet rows of the next window: drift', async () => {
    const result = await check(input({ window: { from: iso(T0 + 10_000), to: iso(T0 + 20_000) } }));
    expect(result).toMatchObject({ samples: 300, drifted: true, driftedFeatures: ['tenure'] });
    expect(result.prediction).toMatchObject({ drifted: true });
  });

  it('filters by the window bounds: from < ts ≤ to', async () => {
    // Rows at T0+1, T0+11, …: (T0+1, T0+21] holds T0+11 and T0+21 only.
    const result = await check(
      input({ window: { from: iso(T0 + 1), to: iso(T0 + 21) }, policy: { ...POLICY, minSamples: 1 } }),
    );
    expect(result.samples).toBe(2);
    // The newest maxRows by timestamp, across files: the last 50 shifted rows.
    const newest = await check(input({ window: { to: iso(T0 + 30_000) }, policy: { ...POLICY, maxRows: 150 } }));
    const report = GuardReport.parse(await world.artifacts.getJson(newest.report));
    expect(report).toMatchObject({ samples: 150, windowRows: 700, drifted: true });
  });

  it('reads epoch-millisecond timestamps and a format named by the source', async () => {
    const epochDir = join(data.path, 'epoch');
    await mkdir(epochDir);
    await writeFile(join(epochDir, 'rows.log'), toJsonl(servedTable(trainingRows(200), T0 + 1, { epoch: true })));
    const source = { kind: 'rows' as const, uri: pathToFileURL(epochDir).href, format: 'jsonl' as const };
    const result = await check(input({ source }));
    expect(result).toMatchObject({ samples: 200, drifted: false, prediction: null });
  });

  it('refuses a directory outside the dataset roots before reading anything', async () => {
    await writeFile(join(outside.path, 'part-0.jsonl'), toJsonl(servedTable(trainingRows(10), T0 + 1)));
    const source = { kind: 'rows' as const, uri: pathToFileURL(outside.path).href };
    const err = await check(input({ source })).catch((e: unknown) => e);
    expect(failureType(err)).toBe(SlipwayErrorType.AccessDenied);
    expect((err as Error).message).toContain('is outside the dataset roots');
  });

  it('fails on a row without a readable timestamp, naming the file and line', async () => {
    const badDir = join(data.path, 'bad');
    await mkdir(badDir);
    const table = servedTable(trainingRows(5), T0 + 1);
    table.rows[2]![0] = 'yesterday';
    await writeFile(join(badDir, 'part.jsonl'), toJsonl(table));
    const err = await check(input({ source: { kind: 'rows', uri: pathToFileURL(badDir).href } })).catch(
      (e: unknown) => e,
    );
    expect(failureType(err)).toBe(SlipwayErrorType.InvalidInput);
    expect((err as Error).message).toMatch(/part\.jsonl line 3: the timestamp column "ts" holds "yesterday"/);
  });

  it('fails on a directory with no served-rows file, and on a feature no row holds', async () => {
    const emptyDir = join(data.path, 'empty');
    await mkdir(emptyDir);
    await writeFile(join(emptyDir, 'notes.csv'), 'a\n1\n');
    const err = await check(input({ source: { kind: 'rows', uri: pathToFileURL(emptyDir).href } })).catch(
      (e: unknown) => e,
    );
    expect(failureType(err)).toBe(SlipwayErrorType.InvalidInput);
    expect((err as Error).message).toContain('holds no .jsonl, .ndjson or .parquet file');
    const noPlan = join(data.path, 'no-plan');
    await mkdir(noPlan);
    const lines = servedTable(trainingRows(200), T0 + 1).rows.map(([ts, tenure]) => JSON.stringify({ ts, tenure }));
    await writeFile(join(noPlan, 'part.jsonl'), `${lines.join('\n')}\n`);
    const err2 = await check(input({ source: { kind: 'rows', uri: pathToFileURL(noPlan).href } })).catch(
      (e: unknown) => e,
    );
    expect((err2 as Error).message).toContain(
      'feature "plan": none of the 200 compared rows holds a categorical value',
    );
  });
});
