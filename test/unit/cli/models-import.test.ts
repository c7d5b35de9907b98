/**
 * `slipway models import` as a user runs it (the built CLI on a fresh home, the dataset roots from the
 * environment), with real scikit-learn models exported by skl2onnx: features and task from the graph, classes from
 * the reference's target, the metrics Slipway computes itself on the reference (checked against scikit-learn's),
 * the trainer's own metrics kept apart, lineage saying what is not known, one audited registration however often
 * it is imported, and every bad input refused by a clear error with nothing registered.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createFsArtifactStore,
  defaultAuditLogPath,
  readAuditEntries,
  type ModelVersionRecord,
} from '@slipway/activities';
import { PredictionProfile } from '@slipway/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeOnnxModels, type OnnxModelFiles } from '../../support/onnx-models.js';

import { runCli } from '../../support/processes.js';

let home: string;
let data: string;
let outside: string;
let models: OnnxModelFiles;

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'slipway-import-home-'));
  data = await mkdtemp(join(tmpdir(), 'slipway-import-data-'));
  outside = await mkdtemp(join(tmpdir(), 'slipway-import-outside-'));
  models = await writeOnnxModels(data);
  await writeFile(join(data, 'trainer-metrics.json'), JSON.stringify({ rmse: 9000.5, r2: 0.97 }));
}, 300_000);
afterAll(async () => {
  for (const dir of [home, data, outside]) if (dir) await rm(dir, { recursive: true, force: true });
});

const slipway = (...args: string[]) => runCli(['--home', home, ...args], { SLIPWAY_DATA_ROOTS: data });

interface Imported {
  version: { name: string; version: number; digest: string };
  created: boolean;
  task: string;
  classes?: unknown[];
  metrics: Record<string, number>;
  lineage: ModelVersionRecord['lineage'];
}

async function importJson(...args: string[]): Promise<Imported> {
  const { code, output } = await slipway('models', 'import', ...args, '--json');
  expect(code, output).toBe(0);
  return JSON.parse(output) as Imported;
}

async function registered(): Promise<string> {
  const { output } = await slipway('models', 'list', '--json');
  return output;
}

describe('slipway models import', () => {
  it('registers a regressor with the metrics Slipway computes, the trainer’s own apart, and what is unknown', async () => {
    const result = await importJson(
      models.housesOnnx,
      '--name',
      'houses',
      '--reference',
      models.housesCsv,
      '--metrics',
      join(data, 'trainer-metrics.json'),
    );
    expect(result).toMatchObject({ version: { name: 'houses', version: 1 }, created: true, task: 'regression' });
    expect(Object.keys(result.metrics).sort()).toEqual(['mae', 'mape', 'r2', 'rmse']);
    // float32 inputs, as ONNX Runtime is fed: within 1e-4 relative of scikit-learn on the same rows.
    expect(Math.abs(result.metrics['rmse']! - models.sklearn.housesRmse) / models.sklearn.housesRmse).toBeLessThan(
      1e-4,
    );
    expect(result.metrics['rmse']).not.toBe(9000.5);
    expect(result.lineage).toMatchObject({
      trainer: 'external',
      workflowId: '',
      task: 'regression',
      features: { numeric: ['sqft', 'rooms'], categorical: [], target: 'price' },
      external: {
        fileName: 'houses.onnx',
        trainerMetrics: { rmse: 9000.5, r2: 0.97 },
        unknown: ['training data', 'training params', 'training code', 'training run'],
      },
    });
    expect(result.lineage.datasetDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(result.lineage.datasetUri).toMatch(/^file:\/\/.*houses\.csv$/);
    // the reference of prediction drift: the profile of the model's predictions on the reference rows
    const stored = result.lineage.predictionProfile;
    expect(stored?.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    const profile = PredictionProfile.parse(await createFsArtifactStore(join(home, 'artifacts')).getJson(stored!));
    expect(profile.task).toBe('regression');
  });

  it('gives the imported version a model card that says where it came from, not an empty workflow', async () => {
    const { code, output } = await slipway('models', 'card', 'houses@1');
    expect(code, output).toBe(0);
    expect(output).not.toMatch(/Workflow:/);
    expect(output).toContain('Trained outside Slipway and imported with `slipway models import`');
    expect(output).toMatch(/- Imported from: `houses\.onnx` \(`sha256:[0-9a-f]{64}`\)/);
    expect(output).toContain('- Not known: training data, training params, training code, training run');
    expect(output).toMatch(/- Reference dataset: `file:\/\/.*houses\.csv`/);
    expect(output).toContain('| r2 | 0.97 |'); // the trainer's own, from --metrics
    // The card stored when the version was registered (the audited registry keeps one per version) is that card.
    const shown = await slipway('models', 'show', 'houses@1', '--json');
    const { modelCard } = JSON.parse(shown.output) as { modelCard: { uri: string; digest: string } | null };
    const stored = await createFsArtifactStore(join(home, 'artifacts')).getBytes(modelCard!);
    expect(stored.toString('utf8')).toBe(output);
    const text = await slipway('models', 'show', 'houses@1');
    expect(text.output).toMatch(/onnx\s+houses\.onnx \(sha256:[0-9a-f]{64}\)/);
  });

  it('is idempotent: the same file, reference and name give the same version, audited once', async () => {
    const again = await importJson(
      models.housesOnnx,
      '--name',
      'houses',
      '--reference',
      models.housesCsv,
      '--metrics',
      join(data, 'trainer-metrics.json'),
    );
    expect(again).toMatchObject({ version: { name: 'houses', version: 1 }, created: false });
    const text = await slipway(
      'models',
      'import',
      models.housesOnnx,
      '--name',
      'houses',
      '--reference',
      models.housesCsv,
      '--metrics',
      join(data, 'trainer-metrics.json'),
    );
    expect(text.output).toContain('houses v1 was already imported (regression)');
    const entries = await readAuditEntries(defaultAuditLogPath(home));
    const registers = entries.filter((e) => e.kind === 'register' && e.model === 'houses');
    expect(registers).toHaveLength(1);
    expect(registers[0]?.actor).toMatch(/^cli:/);
  });

  it('registers a binary classifier with a categorical feature, classes from the reference’s target', async () => {
    const result = await importJson(models.churnOnnx, '--name', 'churn', '--reference', models.churnCsv);
    expect(result).toMatchObject({ task: 'binary', classes: ['no', 'yes'] });
    expect(result.lineage.features).toEqual({ numeric: ['tenure'], categorical: ['plan'], target: 'churned' });
    expect(Math.abs(result.metrics['accuracy']! - models.sklearn.churnAccuracy)).toBeLessThan(1e-9);
    expect(result.metrics['auc']).toBeGreaterThan(0.6);
  });

  it('registers a three-class classifier as multiclass', async () => {
    const result = await importJson(models.speciesOnnx, '--name', 'species', '--reference', models.speciesCsv);
    expect(result).toMatchObject({ task: 'multiclass', classes: ['a', 'b', 'c'] });
    expect(Math.abs(result.metrics['accuracy']! - models.sklearn.speciesAccuracy)).toBeLessThan(1e-9);
    expect(result.metrics['macroF1']).toBeGreaterThan(0.5);
  });

  it('refuses bad inputs with a clear error and registers nothing', async () => {
    const before = await registered();
    const garbage = join(data, 'garbage.onnx');
    await writeFile(garbage, 'this is not a protobuf');
    const noRooms = join(data, 'no-rooms.csv');
    await writeFile(noRooms, 'sqft,price\n1000,100000\n2000,200000\n');
    const elsewhere = join(outside, 'houses.csv');
    await writeFile(elsewhere, 'sqft,rooms,price\n1000,2,100000\n');
    const cases: [string[], RegExp][] = [
      [
        [garbage, '--name', 'bad', '--reference', models.housesCsv],
        /garbage\.onnx is not an ONNX model ONNX Runtime can load/,
      ],
      [
        [models.housesOnnx, '--name', 'bad', '--reference', noRooms],
        /the reference does not fit the model.s inputs: .*no-rooms\.csv.*missing column "rooms"/s,
      ],
      [[models.housesOnnx, '--name', 'bad', '--reference', elsewhere], /houses\.csv.*outside the dataset roots/s],
      [
        [join(data, 'missing.onnx'), '--name', 'bad', '--reference', models.housesCsv],
        /cannot read the model file .*missing\.onnx/,
      ],
      [
        [models.churnOnnx, '--name', 'bad', '--reference', models.churnCsv, '--classes', 'no', 'maybe'],
        /--classes: "maybe" never occur/,
      ],
      [[models.housesOnnx, '--name', 'Bad Name', '--reference', models.housesCsv], /--name "Bad Name"/],
      [[models.housesOnnx, '--name', 'bad', '--reference', models.churnCsv], /churn\.csv.*(sqft|rooms)/s],
    ];
    for (const [args, message] of cases) {
      const { code, output } = await slipway('models', 'import', ...args);
      expect(code, output).toBe(1);
      expect(output).toMatch(message);
    }
    expect(await registered()).toBe(before);
  });
});
