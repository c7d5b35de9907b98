import { defineSearchAttributeKey } from '@temporalio/common';
import { upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { SlipwaySearchAttribute } from '../messages.js';
import { slipwayPatched } from './patches.js';
import type { FeatureSpec, Lineage, Metrics } from '../schemas/model.js';
import { SlipwayErrorType, finalFailure } from '../errors.js';
import type { RowSchema } from '../schemas/dataset.js';
import type { ExpectationSet } from '../schemas/expectations.js';
import type { StepInput } from '../step.js';
import type { TrainingResult, ValidationSummary, registerStep, validateStep } from '../steps/builtin.js';

/** Where the built-in pipelines changed what they schedule, as `patched()` ids. */
export const PipelinePatch = {
  /** A run whose start set its `SlipwayModel` (as `SlipwayClient` starts runs) upserts it no more. */
  modelTagAtStart: 'slipway.pipeline.model-tag-at-start',
} as const;

const modelKey = defineSearchAttributeKey(SlipwaySearchAttribute.model, 'KEYWORD');

/**
 * Makes sure the run carries its `SlipwayModel` search attribute, so runs can be listed per model. `SlipwayClient`
 * and schedules set it when they start a run (listed from its first moment, before a worker takes it); a run
 * started without it, or with another model's, has it set here (an upsert: one more history event and visibility
 * update).
 */
export function tagRunWithModel(model: string): void {
  const atStart = workflowInfo().typedSearchAttributes.get(modelKey) === model;
  if (atStart && slipwayPatched(PipelinePatch.modelTagAtStart)) return;
  upsertSearchAttributes([{ key: modelKey, value: model }]);
}

/** The lineage of a version trained in this run: data, validation, profile, trainer, code and run ids. */
export function lineageOf(features: FeatureSpec, validation: ValidationSummary, training: TrainingResult): Lineage {
  const info = workflowInfo();
  return {
    datasetUri: validation.dataset.uri,
    datasetDigest: validation.dataset.digest,
    validationReport: validation.report,
    profile: validation.profile,
    trainer: training.trainer,
    params: training.params,
    features,
    codeVersion: training.codeVersion,
    workflowId: info.workflowId,
    temporalRunId: info.runId,
    ...(training.task === undefined ? {} : { task: training.task }),
    ...(training.predictionProfile === undefined ? {} : { predictionProfile: training.predictionProfile }),
  };
}

/**
 * The register step's input for a version trained in this run: the model artifact, its metrics (by default the
 * held-out metrics of the training), its lineage, and the tracking run that trained it (when one was tracked).
 */
export function registerInput(
  modelName: string,
  features: FeatureSpec,
  validation: ValidationSummary,
  training: TrainingResult,
  metrics: Metrics = training.metrics,
): StepInput<typeof registerStep> {
  return {
    modelName,
    model: training.model,
    metrics,
    lineage: lineageOf(features, validation, training),
    ...(training.trackingRunId === undefined ? {} : { trackingRunId: training.trackingRunId }),
  };
}

/** A one-line account of a validation, for progress output. */
export function describeValidation(v: ValidationSummary): string {
  const { total, warnings, skipped } = v.checks;
  const checks =
    total === 0
      ? ''
      : `; ${total - skipped} expectations passed${warnings ? ` (${warnings} warnings)` : ''}${skipped ? `, ${skipped} skipped` : ''}`;
  return `${v.rows} rows, ${v.badRows} bad${checks}; ${v.dataset.digest.slice(0, 19)}…`;
}

/** A one-line account of a training run, for progress output. */
export function describeTraining(t: TrainingResult): string {
  const metrics = Object.entries(t.metrics)
    .map(([k, v]) => `${k} ${v.toFixed(3)}`)
    .join(', ');
  const resumed = t.resumedFromEpoch > 0 ? `; resumed from epoch ${t.resumedFromEpoch}` : '';
  return `${t.trainer} on ${t.trainRows} rows, tested on ${t.testRows}: ${metrics}${resumed}`;
}

/** The parts of a pipeline input that say how its data is checked. */
export interface DataChecks {
  dataset: StepInput<typeof validateStep>['dataset'];
  schema?: RowSchema | undefined;
  maxBadRowShare?: number;
  expectations?: ExpectationSet | undefined;
}

/**
 * The row schema of a pipeline input: `schema`, else the expectation set's. Without either the run fails at
 * once with a non-retryable `SlipwayInvalidInput` naming the field.
 */
export function pipelineSchema(input: DataChecks): RowSchema {
  const schema = input.schema ?? input.expectations?.schema;
  if (schema) return schema;
  throw finalFailure(
    SlipwayErrorType.InvalidInput,
    'the pipeline input needs column types: schema, or expectations.schema',
  );
}

/** The validate step's input for a pipeline input: dataset, schema, threshold, and the expectation set if any. */
export function validateInput(input: DataChecks): StepInput<typeof validateStep> {
  const { expectations } = input;
  return {
    dataset: input.dataset,
    schema: pipelineSchema(input),
    ...(input.maxBadRowShare === undefined ? {} : { maxBadRowShare: input.maxBadRowShare }),
    ...(expectations ? { expectations: expectations.expectations } : {}),
    ...(expectations?.reference ? { reference: expectations.reference } : {}),
  };
}
