/**
 * The example trainer in `docs/trainer-protocol.md` works: extracted from the page and run through
 * `runTrainerProcess`, it succeeds, resumes from a checkpoint, and reports bad params as a final error.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FinalErrorType, failureType } from '../../../packages/sdk/src/index.js';
import { runTrainerProcess, type TrainerRequest } from '../../../packages/activities/src/train/process/index.js';

const DOC = resolve(import.meta.dirname, '..', '..', '..', 'docs', 'trainer-protocol.md');

let root: string;
let script: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'slipway-trainer-doc-'));
  const page = await readFile(DOC, 'utf8');
  const example = /```python\n([\s\S]*?)```/.exec(page)?.[1];
  expect(example, 'the page has a Python example').toBeDefined();
  script = join(root, 'train.py');
  await writeFile(script, example!);
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

function run(params: Record<string, unknown>, resumeFrom?: { path: string; step: number }) {
  const split = { path: join(root, 'train.csv'), format: 'csv' as const, digest: `sha256:${'1'.repeat(64)}`, rows: 1 };
  const request: TrainerRequest = {
    task: 'binary',
    features: { numeric: ['tenure_months', 'spend'], categorical: [], target: 'churned' },
    params,
    seed: 1,
    splits: { train: split, heldout: split },
  };
  const steps: number[] = [];
  const stored: number[] = [];
  const running = runTrainerProcess({
    trainer: 'doc-example',
    command: ['python3', script],
    request,
    resumeFrom,
    workRoot: join(root, 'work'),
    onProgress: (p) => void steps.push(p.step),
    storeCheckpoint: (_path, step) => Promise.resolve(void stored.push(step)),
  });
  return { running, steps, stored };
}

describe('the example trainer of docs/trainer-protocol.md', () => {
  it('trains, checkpoints every step and writes a valid result.json', async () => {
    const { running, steps, stored } = run({ epochs: 3 });
    const result = await running;
    expect(steps).toEqual([1, 2, 3]);
    expect(stored).toEqual([1, 2, 3]);
    expect(result.result.signature.inputs.map((i) => i.name)).toEqual(['tenure_months', 'spend']);
    await result.dispose();
  });

  it('resumes after the checkpoint it is given', async () => {
    const checkpoint = join(root, '2.json');
    await writeFile(checkpoint, JSON.stringify({ step: 2 }));
    const { running, steps } = run({ epochs: 4 }, { path: checkpoint, step: 2 });
    await (await running).dispose();
    expect(steps).toEqual([3, 4]);
  });

  it('reports bad params with exit 2: a final error with its message', async () => {
    const { running } = run({ epochs: 0 });
    const err = await running.then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(failureType(err)).toBe(FinalErrorType.TrainerFailed);
    expect(err?.message).toBe('Trainer "doc-example" failed (exit code 2):\nepochs must be at least 1');
  });
});
