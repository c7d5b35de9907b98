import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ExpectationSet, RolloutPlanInput, TrainAndPromoteInputRaw } from '@slipway/sdk';
import { readRunInput } from '@slipway/sdk/client';

/** The example's folder of datasets (`churn.csv` for training, `serving.csv` for traffic). */
export const DATA_DIR = fileURLToPath(new URL('../data/', import.meta.url));

/** The pipeline input a user would pass to `slipway run trainAndPromote --input pipeline.json`. */
export const PIPELINE_JSON = fileURLToPath(new URL('../pipeline.json', import.meta.url));

/**
 * The example's rollout plan: a canary 10 → 50 → 100 with a few seconds' bake per step, for a version that replaces
 * one already serving (a first version has nothing to split the traffic with, and is deployed in one swap).
 */
export const ROLLOUT_JSON = fileURLToPath(new URL('../rollout.json', import.meta.url));

/** `rollout.json` as written (the pipeline's contract checks it when a run starts, naming any bad field). */
export function rolloutJson(): RolloutPlanInput {
  return JSON.parse(readFileSync(ROLLOUT_JSON, 'utf8')) as RolloutPlanInput;
}

/** Options that differ between the demo, the tests and the CLI. */
export interface ChurnInputOptions {
  serverUrl: string;
  datasetPath?: string;
  approvers?: string[];
  startedBy?: string;
  timeout?: string;
  modelName?: string;
  params?: Record<string, unknown>;
  /** Roll the approved version out under this plan (e.g. `rolloutJson()`); without it, deploy in one swap. */
  rollout?: RolloutPlanInput;
}

/** `pipeline.json` as the CLI reads it: the dataset path made absolute and `expectations.json` inlined. */
export function pipelineJson(): TrainAndPromoteInputRaw & { expectations: ExpectationSet } {
  return readRunInput(PIPELINE_JSON) as TrainAndPromoteInputRaw & { expectations: ExpectationSet };
}

/**
 * The churn pipeline input: `pipeline.json` with the given overrides. A different model name also points the
 * expectations' reference at that model's champion.
 */
export function churnInput(options: ChurnInputOptions): TrainAndPromoteInputRaw {
  const base = pipelineJson();
  const modelName = options.modelName ?? base.modelName;
  return {
    ...base,
    modelName,
    ...(options.datasetPath ? { dataset: { ...base.dataset, uri: pathToFileURL(options.datasetPath).href } } : {}),
    expectations: { ...base.expectations, reference: { model: modelName, alias: 'champion' } },
    params: options.params ?? base.params,
    approval: {
      ...base.approval,
      ...(options.approvers ? { approvers: options.approvers } : {}),
      ...(options.timeout ? { timeout: options.timeout } : {}),
    },
    deploy: { ...base.deploy, serverUrl: options.serverUrl },
    ...(options.startedBy ? { startedBy: options.startedBy } : {}),
    ...(options.rollout ? { rollout: options.rollout } : {}),
  };
}
