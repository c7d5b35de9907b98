import { fileURLToPath } from 'node:url';
import { datasetSourceOpener } from '@slipway/activities';
import {
  createSlipwayWorker,
  embeddedDeps,
  type SlipwayConfig,
  type SlipwayWorker,
  type SlipwayWorkerOptions,
} from '@slipway/worker';
import { createChurnActivities } from './activities.js';

/** The example's workflows module (built). */
export const CHURN_WORKFLOWS_PATH = fileURLToPath(new URL('./workflows.js', import.meta.url));

/** A worker serving the example's workflows, Slipway's built-in steps and the example's own step. */
export async function createChurnWorker(
  config: SlipwayConfig,
  options: Omit<SlipwayWorkerOptions, 'config' | 'deps' | 'activities'> = {},
): Promise<SlipwayWorker> {
  const deps = embeddedDeps(config);
  return createSlipwayWorker({
    config,
    deps,
    workflowsPath: CHURN_WORKFLOWS_PATH,
    activities: createChurnActivities({ artifacts: deps.artifacts, openSource: datasetSourceOpener(deps) }),
    ...options,
  });
}
