/**
 * The `slipway.validate` activity: reads a dataset (CSV, JSON lines or Parquet; `file://` or `s3://`; plain
 * or gzip) once, checks every row against the row schema, pins the sha256 of its stored bytes, profiles it,
 * and stores the profile and a full report as artifacts.
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
import { createExpectationRunner, type ExpectationRunner } from '../expectations/runner.js';
import { resolveValidationReference, type ResolvedReference } from '../expectations/reference.js';
import type { ArtifactStore, ModelRegistry } from '../ports.js';
import { currentActivityHooks, type ActivityHooks } from '../data/activity-context.js';
import type { SourceOpener } from '../data/formats/dataset-rows.js';
import {
  badShare,
  boundedFailures,
  buildValidationReport,
  expectationsFailedMessage,
  type ValidationReport,
  failedErrorChecks,
  scanDataset,
  validationFailedMessage,
} from '../data/validation-report.js';

/** What the validate activity needs. */
export interface ValidateActivityDeps {
  artifacts: ArtifactStore;
  /**
   * Opens a dataset's bytes. The default (`file://` and `s3://` with S3 settings from the environment) checks no
   * dataset roots: a worker passes `datasetSourceOpener(deps)`, as `createActivities` does.
   */
  openSource?: SourceOpener;
  /** Resolves `{ model, alias }` references of distribution expectations. */
  registry?: ModelRegistry;
  /** Heartbeats and cancellation (default: the current activity's, inert outside one); the CLI shows progress through it. */
  hooks?: () => ActivityHooks;
}

/** The validate activity: `validateStep` input in, {@link ValidationSummary} out. */
export type ValidateActivity = (input: StepInput<typeof validateStep>) => Promise<ValidationSummary>;

/**
 * Creates the validate activity. It heartbeats `{ rows, bytes, totalBytes, percent }` while reading
 * (throttled; a no-op outside an activity), then:
 * - fails with `SlipwayNotFound` when the dataset does not exist, and with `SlipwayValidationFailed` when it
 *   is empty, has no data rows, misses schema columns or cannot be read (bad quoting, invalid UTF-8, corrupt
 *   gzip or Parquet footer, a record over the size limit: file and line or row group in the message);
 * - fails with `SlipwayDigestMismatch` when the input pins a digest the bytes do not have;
 * - stores the profile and the report (both content-addressed JSON, so a retry stores the same artifacts);
 * - fails with `SlipwayValidationFailed` when `badRowShare > maxBadRowShare`, naming the file, the counts and
 *   the first bad rows by line and column, with `{ report }` (the report's artifact reference) as details.
 *
 * A retried attempt reads the dataset again from its first byte: the digest must cover every byte, so a
 * partial read cannot be resumed. The result depends only on the bytes, so every attempt finds the same.
 */
export function createValidateActivity(deps: ValidateActivityDeps): ValidateActivity {
  return async function validate(rawInput) {
    const input = parseStepInput(validateStep, rawInput, 'activity');
    const reference = await resolveValidationReference(input, deps);
    const runner = expectationRunner(input.expectations, reference);
    const scan = await scanDataset(input.dataset, input.schema, (deps.hooks ?? currentActivityHooks)(), {
      ...(deps.openSource === undefined ? {} : { openSource: deps.openSource }),
      onBatch: (batch) => runner.observe(batch),
    });
    const pinned = input.dataset.digest;
    if (pinned !== undefined && pinned !== scan.digest) {
      throw finalFailure(
        SlipwayErrorType.DigestMismatch,
        `Dataset ${scan.path} does not match its pinned digest: expected ${pinned}, its bytes hash to ${scan.digest}`,
        { uri: input.dataset.uri, expected: pinned, actual: scan.digest },
      );
    }
    const profile = await deps.artifacts.putJson(scan.profile);
    const checks = await runner.finish();
    const reportValue = buildValidationReport(
      scan,
      { uri: input.dataset.uri, schema: input.schema, maxBadRowShare: input.maxBadRowShare },
      profile,
      { checks, reference: reportedReference(reference) },
    );
    const report = await deps.artifacts.putJson(reportValue);
    if (scan.rows === 0) {
      const what = scan.format === 'csv' ? 'has a header but no data rows' : 'has no data rows';
      throw finalFailure(SlipwayErrorType.ValidationFailed, `Dataset ${scan.path} ${what}`, { report });
    }
    const badRowShare = badShare(scan);
    if (badRowShare > input.maxBadRowShare) {
      throw finalFailure(SlipwayErrorType.ValidationFailed, validationFailedMessage(scan, input.maxBadRowShare), {
        report,
      });
    }
    const failedChecks = failedErrorChecks(checks);
    if (failedChecks.length > 0) {
      throw finalFailure(SlipwayErrorType.ValidationFailed, expectationsFailedMessage(scan.path, failedChecks), {
        report,
      });
    }
    return {
      dataset: { ...input.dataset, format: datasetEncoding(input.dataset).format, digest: scan.digest },
      rows: scan.rows,
      badRows: scan.badRows,
      badRowShare,
      failures: boundedFailures(scan.failures, input.maxFailuresReported),
      checks: {
        total: checks.length,
        errors: failedChecks.length,
        warnings: checks.filter((c) => !c.passed && c.severity === 'warning').length,
        skipped: checks.filter((c) => c.skipped).length,
        failed: checks.filter((c) => !c.passed).map((c) => c.id),
      },
      profile,
      report,
    };
  };
}

/** The reference as the report records it: where it came from and, when it replaced another, why. */
function reportedReference(reference: ResolvedReference): ValidationReport['reference'] {
  if (!reference.profile) return null;
  const { source, artifact, reason, replaced } = reference;
  return {
    source,
    profile: artifact,
    ...(reason === undefined ? {} : { reason }),
    ...(replaced === undefined ? {} : { replaced }),
  };
}

function expectationRunner(
  expectations: Parameters<typeof createExpectationRunner>[0],
  reference: ResolvedReference,
): ExpectationRunner {
  return createExpectationRunner(expectations, {
    ...(reference.profile ? { reference: reference.profile } : {}),
    ...(reference.profile === undefined && reference.unavailable
      ? { referenceUnavailable: reference.unavailable }
      : {}),
  });
}
