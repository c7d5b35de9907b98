/**
 * One guardian check, three sources, one verdict: served traffic logged by a real model server (shifted and not),
 * the same rows exported as JSON lines and as Parquet under prefixes of a real S3-compatible server (versitygw,
 * which verifies SigV4), each checked by the `slipway.guard-check` activity as `createActivities` registers it.
 * Also: the dataset roots hold for file and S3 sources, the window bounds filter rows, and a retried check
 * stores the same artifacts.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  GuardReport,
  SlipwayErrorType,
  failureType,
  guardCheckStep,
  type GuardCheckResult,
  type MonitorSource,
  type ServedRow,
  type StepInput,
} from '@slipway/sdk';
import { createActivities } from '../../packages/activities/src/create-activities.js';
import { createModelServerClient } from '../../packages/activities/src/model-server/client.js';
import type { S3Settings } from '../../packages/activities/src/sources/index.js';
import { startS3Server, type S3TestServer } from '../support/s3-server.js';
import { TEST_TOKEN, openWorld, tempDir, testAccess, trainingRows, type TestWorld } from '../unit/serve/fixtures.js';
import { toJsonl, toParquet, type Table } from '../unit/formats/fixtures.js';
import {
  POLICY,
  deployChampion,
  registerGuarded,
  serveRows,
  startClockedServer,
  testClock,
} from '../unit/guard/fixtures.js';

const HOME = resolve(import.meta.dirname, '..', '..', '.slipway');
const BUCKET = 'served';

type CheckInput = StepInput<typeof guardCheckStep>;
type Check = (input: CheckInput) => Promise<GuardCheckResult>;

let s3: S3TestServer;
let settings: S3Settings;
let world: TestWorld;
let model: Awaited<ReturnType<typeof startClockedServer>>;
let roots: { path: string; cleanup: () => Promise<void> };
let outside: { path: string; cleanup: () => Promise<void> };
let check: Check;
const clock = testClock();
const t: string[] = [];

/** Served rows as a rows-source table: ts, the features and the served score. */
function tableOf(rows: readonly ServedRow[]): Table {
  return {
    columns: ['ts', 'tenure', 'plan', 'score'],
    rows: rows.map((row) => {
      const score = row.prediction?.task === 'binary' ? row.prediction.score : null;
      return [row.ts, row.features['tenure'] as number, row.features['plan'] as string, score];
    }),
  };
}

async function put(key: string, body: string | Uint8Array): Promise<void> {
  const client = new S3Client({
    endpoint: settings.endpoint,
    region: settings.region,
    forcePathStyle: true,
    credentials: { accessKeyId: settings.accessKeyId ?? '', secretAccessKey: settings.secretAccessKey ?? '' },
  });
  await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
  client.destroy();
}

beforeAll(async () => {
  s3 = await startS3Server({ home: HOME, onProgress: (m) => console.log(`[s3 server] ${m}`) });
  settings = {
    endpoint: s3.endpoint,
    region: s3.region,
    accessKeyId: s3.accessKeyId,
    secretAccessKey: s3.secretAccessKey,
  };
  const client = new S3Client({
    endpoint: settings.endpoint,
    region: settings.region,
    forcePathStyle: true,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
  });
  await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
  client.destroy();
  world = await openWorld('guard-it');
  roots = await tempDir('guard-it-roots');
  outside = await tempDir('guard-it-outside');
  model = await startClockedServer(world, clock);
  await deployChampion(world, model.server.url, 'churn', await registerGuarded(world, 'churn'));
  // (t0, t1]: 400 rows as in training; (t1, t2]: 300 rows with tenure 15 higher.
  t.push(clock.advance(1000));
  clock.advance(1000);
  await serveRows(model.server.url, 'churn', trainingRows(400), clock);
  t.push(clock.advance(1000));
  clock.advance(1000);
  await serveRows(model.server.url, 'churn', trainingRows(300, { shift: 15 }), clock);
  t.push(clock.advance(1000));
  // The same rows, exported from the served log: JSON lines and Parquet, one file per window.
  const log = createModelServerClient(model.server.url, { token: TEST_TOKEN.value });
  const served = (await log.served('churn', 1, 1000, 'start')).rows;
  expect(served).toHaveLength(700);
  const parts = [served.slice(0, 400), served.slice(400)];
  for (const [i, rows] of parts.entries()) {
    await put(`prod/jsonl/part-${i}.jsonl`, toJsonl(tableOf(rows)));
    await put(
      `prod/parquet/dt=${i}/part-${i}.parquet`,
      toParquet(tableOf(rows), ['STRING', 'DOUBLE', 'STRING', 'DOUBLE'], 128),
    );
  }
  await put('prod/jsonl/_SUCCESS', '');
  const activities = createActivities({
    artifacts: world.artifacts,
    registry: world.registry,
    modelServer: testAccess(model.server.url),
    datasetAccess: { roots: [roots.path, `s3://${BUCKET}/prod`], denied: [] },
    s3: settings,
  });
  check = activities[guardCheckStep.name];
}, 600_000);

afterAll(async () => {
  await model?.cleanup();
  await world?.close();
  await roots?.cleanup();
  await outside?.cleanup();
  await s3?.stop();
});

const sources = (): Record<string, MonitorSource> => ({
  'model server': { kind: 'model-server', serverUrl: model.server.url },
  'S3 JSON lines': {
    kind: 'rows',
    uri: `s3://${BUCKET}/prod/jsonl/`,
    timestampColumn: 'ts',
    predictionColumn: 'score',
  },
  'S3 Parquet': {
    kind: 'rows',
    uri: `s3://${BUCKET}/prod/parquet/`,
    format: 'parquet',
    timestampColumn: 'ts',
    predictionColumn: 'score',
  },
});

const run = (source: MonitorSource, window: CheckInput['window'], checkId = 'it') =>
  check({ checkId, model: 'churn', source, window, policy: POLICY });

const comparable = async (result: GuardCheckResult) => {
  const report = GuardReport.parse(await world.artifacts.getJson(result.report));
  return {
    samples: result.samples,
    drifted: result.drifted,
    driftShare: result.driftShare,
    driftedFeatures: result.driftedFeatures,
    prediction: result.prediction,
    features: report.features.map((f) => ({
      feature: f.feature,
      statistic: f.statistic,
      expected: f.expected,
      actual: f.actual,
    })),
  };
};

describe('guard check across sources', () => {
  it('gives the model-server log, the JSON lines prefix and the Parquet prefix the same verdicts', async () => {
    for (const [window, drifted] of [
      [{ from: t[0]!, to: t[1]! }, false],
      [{ from: t[1]!, to: t[2]! }, true],
    ] as const) {
      const results = await Promise.all(Object.values(sources()).map((source) => run(source, window)));
      const [logged, jsonl, parquet] = await Promise.all(results.map(comparable));
      expect(logged).toMatchObject({ samples: drifted ? 300 : 400, drifted });
      expect(logged!.driftedFeatures).toEqual(drifted ? ['tenure'] : []);
      expect(logged!.prediction).toMatchObject({ drifted });
      expect(jsonl).toEqual(logged);
      expect(parquet).toEqual(logged);
      // The model server measured its health; a rows source has none.
      expect(results[0]!.health).toMatchObject({ requests: drifted ? 3 : 4, errors: 0, breached: false });
      expect(results[1]!.health).toBeNull();
    }
  });

  it('filters rows by the window bounds in every source', async () => {
    const served = (
      await createModelServerClient(model.server.url, { token: TEST_TOKEN.value }).served('churn', 1, 1000, 'start')
    ).rows;
    // Each request of 100 rows was stamped 1 ms after the last: (request 2's time, request 5's time] holds
    // requests 3, 4 and 5, the last 200 rows of the first window and the first 100 of the second.
    const from = served[100]!.ts;
    const to = served[450]!.ts;
    const inWindow = served.filter((row) => row.ts > from && row.ts <= to).length;
    expect(inWindow).toBe(300);
    for (const source of Object.values(sources())) {
      const result = await run(source, { from, to }, 'bounds');
      expect(result.samples).toBe(inWindow);
    }
  });

  it('refuses a file directory or an S3 prefix outside the dataset roots', async () => {
    await writeFile(join(outside.path, 'part.jsonl'), '{"ts":"2026-03-01T00:00:00Z","tenure":1,"plan":"pro"}\n');
    const file = await run(
      { kind: 'rows', uri: pathToFileURL(outside.path).href, timestampColumn: 'ts' },
      { to: t[2]! },
    ).catch((e: unknown) => e);
    expect(failureType(file)).toBe(SlipwayErrorType.AccessDenied);
    expect((file as Error).message).toContain('is outside the dataset roots');
    await put('other/part.jsonl', '{"ts":"2026-03-01T00:00:00Z","tenure":1,"plan":"pro"}\n');
    const prefix = await run(
      { kind: 'rows', uri: `s3://${BUCKET}/other/`, timestampColumn: 'ts' },
      { to: t[2]! },
    ).catch((e: unknown) => e);
    expect(failureType(prefix)).toBe(SlipwayErrorType.AccessDenied);
    const bucket = await run({ kind: 'rows', uri: `s3://${BUCKET}/`, timestampColumn: 'ts' }, { to: t[2]! }).catch(
      (e: unknown) => e,
    );
    expect(failureType(bucket)).toBe(SlipwayErrorType.AccessDenied);
    // Inside the roots, the same file is read.
    await mkdir(join(roots.path, 'served'));
    await writeFile(
      join(roots.path, 'served', 'part.jsonl'),
      '{"ts":"2026-03-01T00:00:00Z","tenure":1,"plan":"pro"}\n',
    );
    const inside = await run(
      { kind: 'rows', uri: pathToFileURL(join(roots.path, 'served')).href, timestampColumn: 'ts' },
      { to: t[2]! },
    );
    expect(inside).toMatchObject({ samples: 1, enoughSamples: false });
  });

  it('stores the same artifacts when a check is retried', async () => {
    for (const source of Object.values(sources())) {
      const window = { from: t[1]!, to: t[2]! };
      const first = await run(source, window, 'retry');
      const again = await run(source, window, 'retry');
      expect(again).toEqual(first);
      expect(again.servingProfile).not.toBeNull();
    }
  });
});
