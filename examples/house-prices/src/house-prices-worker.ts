import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createSlipwayWorker,
  type SlipwayConfig,
  type SlipwayWorker,
  type SlipwayWorkerOptions,
} from '@slipway/worker';
import { preparePythonTrainer } from '@slipway/worker/python';

/** The example's folder: `train.py` and `requirements.txt` live here. */
export const EXAMPLE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const REPO_ROOT = resolve(EXAMPLE_DIR, '..', '..');

/** The example's workflows module (built). */
export const WORKFLOWS_PATH = fileURLToPath(new URL('./workflows.js', import.meta.url));

/** The trainer's name, as `pipeline.json` uses it. */
export const TRAINER_NAME = 'house-prices-xgboost';

/**
 * A worker serving `trainAndPromote` whose configuration names the Python trainer `house-prices-xgboost`
 * (`python train.py` in this folder). On first use the trainer's `requirements.txt` and this repository's
 * `slipway-trainer` package are installed into the repository's Python environment, `.slipway/tools/py` (shared
 * with the other examples and the tests; a minute or so, once).
 */
export async function createHousePricesWorker(
  config: SlipwayConfig,
  options: Omit<SlipwayWorkerOptions, 'config' | 'workflowsPath'> & { onProgress?: (message: string) => void } = {},
): Promise<SlipwayWorker> {
  const { onProgress, ...workerOptions } = options;
  const trainer = await preparePythonTrainer({
    name: TRAINER_NAME,
    dir: EXAMPLE_DIR,
    envDir: join(REPO_ROOT, '.slipway', 'tools', 'py'),
    editable: [{ path: join(REPO_ROOT, 'python', 'slipway-trainer'), extras: ['xgboost'] }],
    ...(onProgress ? { onProgress } : {}),
  });
  return createSlipwayWorker({
    ...workerOptions,
    config: { ...config, trainers: { ...config.trainers, [TRAINER_NAME]: trainer } },
    workflowsPath: WORKFLOWS_PATH,
  });
}
