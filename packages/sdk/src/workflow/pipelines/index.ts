/**
 * The ready-made pipeline workflows, one file per pipeline, each implementing its contract from `@slipway/sdk`
 * (`trainAndPromote`, `checkDrift`, `promoteVersion`, `rolloutVersion`, `deployVersion`, `rollbackModel`, `modelGuardian`). Point a worker's `workflowsPath` at `@slipway/sdk/pipelines`, or
 * re-export them from your own workflows file next to your own pipelines. Every export here is a workflow
 * function: a worker registers each under its export name, the contract's name.
 *
 * @packageDocumentation
 */
export { trainAndPromote } from './train-and-promote.js';
export { checkDrift } from './check-drift.js';
export { promoteVersion } from './promote-version.js';
export { rolloutVersion } from './rollout-version.js';
export { deployVersion } from './deploy-version.js';
export { rollbackModel } from './rollback-model.js';
export { modelGuardian } from './model-guardian.js';
