import { checkDrift } from './check-drift.js';
import { deployVersion } from './deploy-version.js';
import { promoteVersion } from './promote-version.js';
import { rollbackModel } from './rollback-model.js';
import { rolloutVersion } from './rollout-version.js';
import { trainAndPromote } from './train-and-promote.js';
import { modelGuardian } from './model-guardian.js';
import type { AnyPipeline } from '../pipeline.js';

export * from './train-and-promote.js';
export * from './check-drift.js';
export * from './promote-version.js';
export * from './rollout-version.js';
export * from './deploy-version.js';
export * from './rollback-model.js';
export * from './model-guardian.js';

/**
 * Every built-in pipeline contract, keyed by its name (the workflow type its function in
 * `@slipway/sdk/pipelines` is exported as). `slipway run` checks an input file against the contract of a
 * name found here before it starts a run.
 */
export const builtinPipelines = {
  trainAndPromote,
  checkDrift,
  promoteVersion,
  rolloutVersion,
  deployVersion,
  rollbackModel,
  modelGuardian,
} as const;

/** The contract of the built-in pipeline named `name` (its workflow type); undefined for any other name. */
export function builtinPipeline(name: string): AnyPipeline | undefined {
  return Object.values(builtinPipelines).find((contract: AnyPipeline) => contract.name === name);
}
