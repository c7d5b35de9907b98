/**
 * Scanning a dataset for the validate step (counts, failures, profile, digest in one pass, in any format)
 * and the report artifact that records the result.
 */
import type { ArtifactRef, CheckResult, DatasetProfile, DatasetRef, RowFailure, RowSchema } from '@slipway/sdk';
import { throwIfAborted, type ActivityHooks, createThrottle } from './activity-context.js';
import type { DatasetRowReader } from './formats/batch-reader.js';
import { BatchChecker, type CheckedRowSink, type PositionedFailure } from './formats/check-rows.js';
import { openSourceFromEnv, type SourceOpener } from './formats/dataset-rows.js';
import { openRowReader } from './formats/open-row-reader.js';
import { createProfiler, type ColumnBatch, type Profiler } from './profile.js';
import { describePosition, type RowBatch, type RowPosition } from './row-batch.js';
import { SAMPLE_MAX_VALUES, quoteValue, withoutValue } from '../util/bounded-sample.js';

/** The validation report keeps at most this many failures (the step summary keeps fewer). */
export const REPORT_FAILURE_LIMIT = 1000;

/**
 * Rows per batch while scanning: small batches are checked, profiled and dropped soon after they are read, so
 * few rows live long enough to be promoted out of V8's young generation (which costs GC time and memory).
 */
const SCAN_BATCH_SIZE = 512;

/** How often (at most) the validate activity heartbeats, in milliseconds. */
export const VALIDATE_HEARTBEAT_INTERVAL_MS = 1000;

/**
 * One failure as the scan and the report keep it: a {@link RowFailure} plus its exact position. `line` is the
 * 1-based file line for CSV and JSON lines, and the 1-based row number across row groups for Parquet (whose
 * `position` is `{ rowGroup, row }`). `quoted` (kept by the scan, not written to the report) is the part of
 * `message` that quotes the cell's value, so results that may carry only a few values can drop it.
 */
export interface ReportedFailure extends RowFailure {
  position: RowPosition;
  quoted?: string;
}

/**
 * The first `limit` failures as a step result carries them into workflow history: only the first
 * `SAMPLE_MAX_VALUES` keep the value their message quotes (each bounded, see `quoteValue`); the others say where
 * and what was wrong, with the value left out.
 */
export function boundedFailures(failures: readonly ReportedFailure[], limit: number): RowFailure[] {
  return failures.slice(0, limit).map(({ line, column, message, quoted }, i) => ({
    line,
    column,
    message: i < SAMPLE_MAX_VALUES ? message : withoutValue(message, quoted),
  }));
}

/** What one pass over a dataset found. */
export interface DatasetScan {
  /** The dataset's name for messages: the local path, or `s3://bucket/key`. */
  path: string;
  format: DatasetRowReader['format'];
  digest: `sha256:${string}`;
  /** Stored bytes (compressed, when the dataset is gzip). */
  bytes: number;
  /** The columns: the CSV header, the Parquet schema, or the union of JSON keys. */
  header: readonly string[];
  rows: number;
  badRows: number;
  /** Failing cells per schema column (rows that could not be parsed count under `raggedRows`, not here). */
  columnFailureCounts: Record<string, number>;
  /** Rows that could not be parsed: ragged CSV rows, stray quotes, lines that are not JSON objects. */
  raggedRows: number;
  /** The first {@link REPORT_FAILURE_LIMIT} failures, in file order. */
  failures: ReportedFailure[];
  profile: DatasetProfile;
}

/** What a validate heartbeat carries: rows and stored bytes read, and the share of the file when its size is known. */
export interface ValidateProgress {
  rows: number;
  bytes: number;
  totalBytes?: number;
  percent?: number;
}

/** Options of {@link scanDataset}. */
export interface ScanOptions {
  /** Opens the dataset's bytes (default: `file://` and `s3://` with S3 settings from the environment). */
  openSource?: SourceOpener;
  /** Sees every batch as it is read (e.g. an expectation runner), in the same pass. */
  onBatch?: (batch: RowBatch) => Promise<void> | void;
  /** The longest record or line, in bytes (default 16 MiB). */
  maxRecordBytes?: number;
}

function progressOf(reader: DatasetRowReader): ValidateProgress {
  const { bytesRead, totalBytes, rowsRead } = reader.progress();
  if (totalBytes === undefined || totalBytes === 0) return { rows: rowsRead, bytes: bytesRead };
  const percent = Math.min(100, Math.round((bytesRead / totalBytes) * 1000) / 10);
  return { rows: rowsRead, bytes: bytesRead, totalBytes, percent };
}

/** Tallies checked rows: counts, failures by column, the first failures, the profile of the good rows. */
class ScanTally implements CheckedRowSink {
  rows = 0;
  badRows = 0;
  raggedRows = 0;
  readonly failures: ReportedFailure[] = [];
  readonly columnFailureCounts: Record<string, number>;

  constructor(
    schema: RowSchema,
    private readonly profiler: Profiler,
    private readonly rowNumber: (position: RowPosition) => number,
  ) {
    this.columnFailureCounts = Object.fromEntries(Object.keys(schema.columns).map((c) => [c, 0]));
  }

  good(rows: ColumnBatch): void {
    this.rows += this.profiler.addColumns(rows);
  }

  bad(_position: RowPosition, failures: readonly PositionedFailure[]): void {
    this.rows++;
    this.badRows++;
    for (const { position, column, message, quoted } of failures) {
      if (column === null) this.raggedRows++;
      else this.columnFailureCounts[column] = (this.columnFailureCounts[column] ?? 0) + 1;
      if (this.failures.length < REPORT_FAILURE_LIMIT) {
        const line = this.rowNumber(position);
        this.failures.push(
          quoted === undefined ? { line, column, message, position } : { line, column, message, position, quoted },
        );
      }
    }
  }
}

/**
 * Reads a dataset once, in any format: checks every row, profiles the good ones, hashes the stored bytes,
 * and heartbeats {@link ValidateProgress} (throttled) through `hooks`. A retried attempt starts over from the
 * first byte: the digest needs every byte, so there is nothing to resume from (see `openRowReader`).
 */
export async function scanDataset(
  dataset: DatasetRef,
  schema: RowSchema,
  hooks: ActivityHooks,
  options: ScanOptions = {},
): Promise<DatasetScan> {
  const source = (options.openSource ?? openSourceFromEnv)(dataset.uri);
  const reader = openRowReader(dataset, source, {
    signal: hooks.signal,
    batchSize: SCAN_BATCH_SIZE,
    ...(options.maxRecordBytes === undefined ? {} : { maxRecordBytes: options.maxRecordBytes }),
  });
  const checker = new BatchChecker(reader, schema);
  const profiler = createProfiler(schema);
  const tally = new ScanTally(schema, profiler, (position) => reader.rowNumber(position));
  const throttle = createThrottle(VALIDATE_HEARTBEAT_INTERVAL_MS);
  for await (const batch of reader) {
    checker.scan(batch, tally);
    if (options.onBatch !== undefined) await options.onBatch(batch);
    if (throttle.ready()) hooks.heartbeat(progressOf(reader));
  }
  checker.finish();
  throwIfAborted(hooks.signal);
  hooks.heartbeat(progressOf(reader));
  return {
    path: source.displayName,
    format: reader.format,
    digest: reader.digest(),
    bytes: reader.progress().bytesRead,
    header: reader.columns ?? [],
    rows: tally.rows,
    badRows: tally.badRows,
    columnFailureCounts: tally.columnFailureCounts,
    raggedRows: tally.raggedRows,
    failures: tally.failures,
    profile: profiler.finish(),
  };
}

/** The validation report artifact: everything the step found, deterministic for the same bytes and schema. */
export interface ValidationReport {
  kind: 'slipway.validation-report';
  version: 1;
  dataset: { uri: string; format: DatasetScan['format']; digest: string; bytes: number; header: readonly string[] };
  schema: RowSchema;
  rows: number;
  goodRows: number;
  badRows: number;
  badRowShare: number;
  maxBadRowShare: number;
  passed: boolean;
  raggedRows: number;
  columnFailureCounts: Record<string, number>;
  /** The first failures (at most {@link REPORT_FAILURE_LIMIT}), in file order. */
  failures: ReportedFailure[];
  /** True when there were more failures than the report keeps. */
  failuresTruncated: boolean;
  /** Every expectation with its outcome, counts and sample failures. */
  checks: CheckResult[];
  /**
   * The reference profile distribution checks compared against, when there was one; `reason` and `replaced` when it
   * is not the one the expectations name (a retrain compares with the serving window that drifted).
   */
  reference: { source: string; profile: ArtifactRef; reason?: string; replaced?: string } | null;
  profile: ArtifactRef;
}

/** The expectations that failed at error level (skipped ones never fail). */
export function failedErrorChecks(checks: readonly CheckResult[]): CheckResult[] {
  return checks.filter((c) => !c.passed && !c.skipped && c.severity === 'error');
}

/** Builds the report artifact of a scan. */
export function buildValidationReport(
  scan: DatasetScan,
  input: { uri: string; schema: RowSchema; maxBadRowShare: number },
  profile: ArtifactRef,
  expectations: { checks: CheckResult[]; reference: ValidationReport['reference'] } = { checks: [], reference: null },
): ValidationReport {
  const badRowShare = badShare(scan);
  const totalFailures = scan.raggedRows + Object.values(scan.columnFailureCounts).reduce((a, b) => a + b, 0);
  return {
    kind: 'slipway.validation-report',
    version: 1,
    dataset: { uri: input.uri, format: scan.format, digest: scan.digest, bytes: scan.bytes, header: scan.header },
    schema: input.schema,
    rows: scan.rows,
    goodRows: scan.rows - scan.badRows,
    badRows: scan.badRows,
    badRowShare,
    maxBadRowShare: input.maxBadRowShare,
    passed: scan.rows > 0 && badRowShare <= input.maxBadRowShare && failedErrorChecks(expectations.checks).length === 0,
    raggedRows: scan.raggedRows,
    columnFailureCounts: scan.columnFailureCounts,
    failures: scan.failures.map(({ quoted: _quoted, ...failure }) => failure),
    failuresTruncated: totalFailures > scan.failures.length,
    checks: expectations.checks,
    reference: expectations.reference,
    profile,
  };
}

/** The share of bad rows (0 for an empty dataset). */
export function badShare(scan: Pick<DatasetScan, 'rows' | 'badRows'>): number {
  return scan.rows === 0 ? 0 : scan.badRows / scan.rows;
}

/**
 * Formats one failure as `line 14, column "tenure_months": expected a number, got "abc"`, or with a Parquet
 * position as `row group 2, row 17, column "tenure_months": …`.
 */
export function formatFailure(failure: RowFailure & { position?: RowPosition }): string {
  const place = failure.position === undefined ? `line ${failure.line}` : describePosition(failure.position);
  const where = failure.column === null ? place : `${place}, column ${JSON.stringify(failure.column)}`;
  return `${where}: ${failure.message}`;
}

function percent(share: number): string {
  return `${(share * 100).toFixed(share > 0 && share < 0.001 ? 3 : 1)}%`;
}

/**
 * The message of a failed validation: the file, the counts, and the first bad rows by line and column (at most
 * `SAMPLE_MAX_VALUES` of them, so at most that many values are quoted).
 */
export function validationFailedMessage(scan: DatasetScan, maxBadRowShare: number, shown = SAMPLE_MAX_VALUES): string {
  const head =
    `Dataset ${scan.path} failed validation: ${scan.badRows} of ${scan.rows} rows are bad ` +
    `(${percent(badShare(scan))}, at most ${percent(maxBadRowShare)} allowed)`;
  const first = scan.failures.slice(0, shown).map(formatFailure);
  const more = scan.failures.length > shown ? '; …' : '';
  return first.length === 0 ? head : `${head}. First failures: ${first.join('; ')}${more}`;
}

/**
 * The message of failed expectations: the file and each failed check (at most `SAMPLE_MAX_VALUES`) with its first
 * sample, its value quoted and bounded (see `quoteValue`).
 */
export function expectationsFailedMessage(
  path: string,
  failed: readonly CheckResult[],
  shown = SAMPLE_MAX_VALUES,
): string {
  const lines = failed.slice(0, shown).map((c) => {
    const sample = c.samples[0];
    const example = sample
      ? `: ${sample.position}${sample.value === undefined ? '' : ` (${quoteValue(sample.value)})`}: ${sample.message}`
      : '';
    // A check that saw nothing (a missing column, no reference) failed as a whole, not some of its values.
    const counts = c.evaluated === 0 ? '' : ` ${c.failed} of ${c.evaluated}`;
    return `${c.id} failed${counts}${example}`;
  });
  const more = failed.length > shown ? `; and ${failed.length - shown} more` : '';
  return `Dataset ${path} failed ${failed.length} expectation${failed.length === 1 ? '' : 's'}: ${lines.join('; ')}${more}`;
}
