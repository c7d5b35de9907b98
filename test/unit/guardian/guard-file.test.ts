/**
 * The guardian's settings file (`slipway guard start --policy guard.json`): paths resolved against its folder the way
 * `slipway run` resolves a run input, the whole input checked against the `modelGuardian` contract, and every bad
 * file refused naming the file and the field.
 */
import { writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { readGuardFile, SlipwayClientError } from '@slipway/sdk/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slipway-guard-file-'));
  await mkdir(join(dir, 'runs'));
  await writeFile(join(dir, 'runs', 'retrain.json'), JSON.stringify(runInput()));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function runInput(more: object = {}) {
  return {
    modelName: 'churn',
    dataset: { uri: '../data/churn.csv', format: 'csv' },
    features: { numeric: ['tenure'], categorical: [], target: 'churned' },
    approval: { approvers: ['maria'], quorum: 1, timeout: '72h' },
    deploy: { serverUrl: 'http://127.0.0.1:8765' },
    ...more,
  };
}

function guardFile(more: object = {}) {
  return {
    source: { kind: 'rows', uri: 'served/', format: 'jsonl' },
    policy: { minSamples: 100, driftShare: 0.4 },
    hysteresis: { consecutive: 2 },
    cooldown: '12h',
    budget: { perWeek: 1 },
    retrain: { input: 'runs/retrain.json', dataset: { newestUnder: 'fresh', pattern: '*.csv' } },
    ...more,
  };
}

async function write(content: unknown): Promise<string> {
  const path = join(dir, 'guard.json');
  await writeFile(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

function refusal(fn: () => unknown): SlipwayClientError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(SlipwayClientError);
    return err as SlipwayClientError;
  }
  throw new Error('expected a refusal');
}

describe('guard.json', () => {
  it("resolves the retrain's run input, the served-rows folder and the template against the file's folder", async () => {
    const path = await write(guardFile());
    const input = readGuardFile(path, { model: 'churn', every: '1h' });
    expect(input).toMatchObject({
      model: 'churn',
      every: '1h',
      source: { kind: 'rows', uri: `${pathToFileURL(join(dir, 'served')).href}/` },
      hysteresis: { consecutive: 2 },
      cooldown: '12h',
      budget: { perWeek: 1 },
      retrain: {
        input: { modelName: 'churn', dataset: { uri: pathToFileURL(join(dir, 'data', 'churn.csv')).href } },
        dataset: { newestUnder: `${pathToFileURL(join(dir, 'fresh')).href}/`, pattern: '*.csv' },
      },
    });
  });

  it('takes the retrain input inline too, and keeps s3:// and file:// URIs as they are', async () => {
    const path = await write(
      guardFile({
        source: { kind: 'rows', uri: 's3://bucket/served/' },
        retrain: { input: runInput({ dataset: { uri: 'file:///data/churn.csv' } }) },
      }),
    );
    const input = readGuardFile(path, {
      model: 'churn',
      every: '30m',
      backfill: { from: '2026-12-01T00:00:00Z', to: '2026-12-02T00:00:00Z' },
    });
    expect(input.source).toMatchObject({ uri: 's3://bucket/served/' });
    expect(input.retrain.input.dataset).toMatchObject({ uri: 'file:///data/churn.csv' });
    expect(input.backfill).toEqual({ from: '2026-12-01T00:00:00Z', to: '2026-12-02T00:00:00Z' });
  });

  it('refuses an unknown key, naming the file and the key', async () => {
    const path = await write(guardFile({ hysterisis: { consecutive: 2 } }));
    const err = refusal(() => readGuardFile(path, { model: 'churn', every: '1h' }));
    expect(err.code).toBe('InvalidInput');
    expect(err.message).toContain(path);
    expect(err.message).toContain('hysterisis');
  });

  it('refuses a file without a retrain input, and one that is not JSON', async () => {
    const { retrain: _r, ...noRetrain } = guardFile();
    const missing = refusal(() => readGuardFile(writeSync(noRetrain), { model: 'churn', every: '1h' }));
    expect(missing.message).toContain('retrain');
    const path = await write('{ "source": ');
    expect(() => readGuardFile(path, { model: 'churn', every: '1h' })).toThrow(`${path} is not valid JSON`);
  });

  it('refuses a retrain run input that sets what the guardian sets (start, startedBy, retrain)', async () => {
    await writeFile(join(dir, 'runs', 'retrain.json'), JSON.stringify(runInput({ startedBy: 'mallory' })));
    const path = await write(guardFile());
    const err = refusal(() => readGuardFile(path, { model: 'churn', every: '1h' }));
    expect(err.message).toContain(join(dir, 'runs', 'retrain.json'));
    expect(err.message).toContain('sets startedBy: the guardian starts the retrain and sets this itself');
  });

  it('refuses what the contract refuses, naming the field: a bad duration, a bad policy, a missing dataset', () => {
    const every = refusal(() => readGuardFile(writeSync(guardFile()), { model: 'churn', every: 'hourly' }));
    expect(every.message).toContain('every');
    const policy = refusal(() =>
      readGuardFile(writeSync(guardFile({ policy: { driftShare: 2 } })), { model: 'churn', every: '1h' }),
    );
    expect(policy.message).toContain('policy.driftShare');
    const noData = refusal(() =>
      readGuardFile(writeSync(guardFile({ retrain: { input: { ...runInput(), dataset: undefined } } })), {
        model: 'churn',
        every: '1h',
      }),
    );
    expect(noData.message).toContain('retrain.dataset');
  });
});

let seq = 0;
/** Writes a guard file under a new name (synchronously, for the refusal cases). */
function writeSync(content: unknown): string {
  seq += 1;
  const path = join(dir, `guard-${seq}.json`);
  writeFileSync(path, JSON.stringify(content));
  return path;
}

describe("the churn example's guard file", () => {
  it('reads as the README shows it: pipeline.json inlined, the recent-data folder absolute', () => {
    const example = join(import.meta.dirname, '..', '..', '..', 'examples', 'churn');
    const input = readGuardFile(join(example, 'guard.json'), { model: 'churn', every: '1h' });
    expect(input.retrain.dataset?.newestUnder).toBe(`${pathToFileURL(join(example, 'data', 'recent')).href}/`);
    expect(input.retrain.input).toMatchObject({ modelName: 'churn', approval: { approvers: ['maria', 'lee'] } });
    expect(input.retrain.input.expectations).toMatchObject({ reference: { model: 'churn', alias: 'champion' } });
    expect(input.policy).toMatchObject({ features: { support_calls: { test: 'ks', threshold: 0.01 } } });
  });
});
