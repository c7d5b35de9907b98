/**
 * The example's workflows: Slipway's ready-made `trainAndPromote` (validate → train → register → approval gate →
 * deploy). Nothing here knows the model is trained in Python: the run input names the trainer (`house-prices-xgboost`),
 * and the worker's configuration says what that name runs.
 */
export { trainAndPromote } from '@slipway/sdk/pipelines';
