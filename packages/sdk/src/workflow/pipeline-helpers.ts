import { defineSearchAttributeKey } from '@temporalio/common';
import { upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { SlipwaySearchAttribute } from '../messages.js';
import type { FeatureSpec, Lineage } from '../schemas/model.js';
import type { TrainingResult, ValidationSummary } from '../steps/builtin.js';

/** Sets the run's `SlipwayModel` search attribute, so runs can be listed per model. */
export function tagRunWithModel(model: string): void {
  upsertSearchAttributes([{ key: defineSearchAttributeKey(SlipwaySearchAttribute.model, 'KEYWORD'), value: model }]);
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
    runId: info.runId,
  };
}

/** A one-line account of a validation, for progress output. */
export function describeValidation(v: ValidationSummary): string {
  return `${v.rows} rows, ${v.badRows} bad; ${v.dataset.digest.slice(0, 19)}…`;
}

/** A one-line account of a training run, for progress output. */
export function describeTraining(t: TrainingResult): string {
  const metrics = Object.entries(t.metrics)
    .map(([k, v]) => `${k} ${v.toFixed(3)}`)
    .join(', ');
  const resumed = t.resumedFromEpoch > 0 ? `; resumed from epoch ${t.resumedFromEpoch}` : '';
  return `${t.trainer} on ${t.trainRows} rows, tested on ${t.testRows}: ${metrics}${resumed}`;
}
