/**
 * The `slipway.validate` activity: reads a CSV dataset once, checks every row against the row schema, pins
 * the sha256 of its bytes, profiles it, and stores the profile and a full report as artifacts.
 */
import {
  datasetEncoding,
  SlipwayErrorType,
  finalFailure,
  parseStepInput,
  validateStep,
  type StepInput,
  type ValidationSummary,
} from '@slipway/sdk';
import type { ArtifactStore } from '../ports.js';
import { currentActivityHooks } from './activity-context.js';
import { badShare, buildValidationReport, scanDataset, validationFailedMessage } from './validation-report.js';

/** What the validate activity needs. */
export interface ValidateActivityDeps {
  artifacts: ArtifactStore;
}

/** The validate activity: `validateStep` input in, {@link ValidationSummary} out. */
export type ValidateActivity = (input: StepInput<typeof validateStep>) => Promise<ValidationSummary>;

/**
 * Creates the validate activity. It heartbeats `{ rows, bytes }` while reading (throttled; a no-op outside
 * an activity), then:
 * - fails with `SlipwayNotFound` when the file does not exist, and with `SlipwayValidationFailed` when it is
 *   empty, has only a header, misses schema columns or cannot be parsed (file and line in the message);
 * - fails with `SlipwayDigestMismatch` when the input pins a digest the bytes do not have;
 * - stores the profile and the report (both content-addressed JSON, so a retry stores the same artifacts);
 * - fails with `SlipwayValidationFailed` when `badRowShare > maxBadRowShare`, naming the file, the counts and
 *   the first bad rows by line and column, with `{ report }` (the report's artifact reference) as details.
 */
export function createValidateActivity(deps: ValidateActivityDeps): ValidateActivity {
  return async function validate(rawInput) {
    const input = parseStepInput(validateStep, rawInput, 'activity');
    const scan = await scanDataset(input.dataset.uri, input.schema, currentActivityHooks());
    const pinned = input.dataset.digest;
    if (pinned !== undefined && pinned !== scan.digest) {
      throw finalFailure(
        SlipwayErrorType.DigestMismatch,
        `Dataset ${scan.path} does not match its pinned digest: expected ${pinned}, the file hashes to ${scan.digest}`,
        { uri: input.dataset.uri, expected: pinned, actual: scan.digest },
      );
    }
    const profile = await deps.artifacts.putJson(scan.profile);
    const reportValue = buildValidationReport(
      scan,
      { uri: input.dataset.uri, schema: input.schema, maxBadRowShare: input.maxBadRowShare },
      profile,
    );
    const report = await deps.artifacts.putJson(reportValue);
    if (scan.rows === 0) {
      throw finalFailure(SlipwayErrorType.ValidationFailed, `Dataset ${scan.path} has a header but no data rows`, {
        report,
      });
    }
    const badRowShare = badShare(scan);
    if (badRowShare > input.maxBadRowShare) {
      throw finalFailure(SlipwayErrorType.ValidationFailed, validationFailedMessage(scan, input.maxBadRowShare), {
        report,
      });
    }
    return {
      dataset: { ...input.dataset, format: datasetEncoding(input.dataset).format, digest: scan.digest },
      rows: scan.rows,
      badRows: scan.badRows,
      badRowShare,
      failures: scan.failures.slice(0, input.maxFailuresReported),
      profile,
      report,
    };
  };
}
