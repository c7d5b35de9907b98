import { fileURLToPath } from 'node:url';
import type { TrainAndPromoteInputRaw } from '@slipway/sdk';
import { readRunInput } from '@slipway/sdk/client';

/** The run input a user would pass to `slipway run trainAndPromote --input pipeline.json`. */
export const PIPELINE_JSON = fileURLToPath(new URL('../pipeline.json', import.meta.url));

/** `pipeline.json` (dataset path made absolute, `expectations.json` inlined) with the model server's URL. */
export function housePricesInput(options: { serverUrl: string; approvers?: string[] }): TrainAndPromoteInputRaw {
  const base = readRunInput(PIPELINE_JSON) as TrainAndPromoteInputRaw;
  return {
    ...base,
    approval: { ...base.approval, ...(options.approvers ? { approvers: options.approvers } : {}) },
    deploy: { ...base.deploy, serverUrl: options.serverUrl },
  };
}
