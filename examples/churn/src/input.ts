import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { TrainAndPromoteInputRaw } from '@slipway/sdk';

/** The example's folder of datasets (`churn.csv` for training, `serving.csv` for traffic). */
export const DATA_DIR = fileURLToPath(new URL('../data/', import.meta.url));

/** The pipeline input a user would pass to `slipway run trainAndPromote --input pipeline.json`. */
export const PIPELINE_JSON = fileURLToPath(new URL('../pipeline.json', import.meta.url));

/** Options that differ between the demo, the tests and the CLI. */
export interface ChurnInputOptions {
  serverUrl: string;
  datasetPath?: string;
  approvers?: string[];
  startedBy?: string;
  timeout?: string;
  modelName?: string;
  params?: Record<string, unknown>;
}

/** The churn pipeline input: `pipeline.json` with the dataset made absolute and the given overrides. */
export function churnInput(options: ChurnInputOptions): TrainAndPromoteInputRaw {
  const base = JSON.parse(readFileSync(PIPELINE_JSON, 'utf8')) as TrainAndPromoteInputRaw;
  return {
    ...base,
    modelName: options.modelName ?? base.modelName,
    dataset: { ...base.dataset, uri: pathToFileURL(options.datasetPath ?? `${DATA_DIR}churn.csv`).href },
    params: options.params ?? base.params,
    approval: {
      ...base.approval,
      ...(options.approvers ? { approvers: options.approvers } : {}),
      ...(options.timeout ? { timeout: options.timeout } : {}),
    },
    deploy: { ...base.deploy, serverUrl: options.serverUrl },
    ...(options.startedBy ? { startedBy: options.startedBy } : {}),
  };
}
