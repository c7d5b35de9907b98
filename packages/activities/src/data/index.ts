/**
 * `@slipway/activities/data` — reading, checking and profiling datasets (the `slipway.validate` step is built on
 * these). Datasets are CSV, JSON lines or Parquet, on `file://` or `s3://`, plain or gzip; every format is read
 * through one row-batch interface (`openRowReader`), so checks and profiles never care which it is. A registered
 * version's training profile is read back with `loadTrainingProfile`. A custom step opens its dataset with
 * `datasetSourceOpener(deps)` from the package root, so it reads only below the worker's dataset roots.
 *
 * ```ts
 * import { datasetSourceOpener } from '@slipway/activities';
 * import { readCsvRows, scanDataset } from '@slipway/activities/data';
 * for await (const event of readCsvRows(uri, { schema, openSource: datasetSourceOpener(deps) })) if (event.ok) use(event.row);
 * const scan = await scanDataset({ uri: 'file:///data/churn.parquet' }, schema, currentActivityHooks());
 * console.log(scan.rows, scan.badRows, scan.digest);
 * ```
 *
 * @packageDocumentation
 */
export {
  checkRow,
  compileCellChecker,
  compileRowSchema,
  parseBooleanCell,
  parseNumberCell,
  quoteCell,
  rowSchemaToZod,
  type CellChecker,
  type CellFailure,
  type CellKind,
  type CellResult,
  type CellValue,
  type CompiledRowSchema,
  type RowCheckResult,
} from './cell-checker.js';
export { readCsvRows, type CsvReadOptions, type CsvRowEvent, type CsvRowReader } from './csv-reader.js';
export {
  CsvErrorCode,
  CsvSyntaxError,
  describeParseError,
  strayQuoteMessage,
  type DescribedParseError,
} from './csv-errors.js';
export {
  describePosition,
  type MalformedRow,
  type RawCell,
  type ReadProgress,
  type RowBatch,
  type RowBatchReader,
  type RowPosition,
  type RowReaderOptions,
} from './row-batch.js';
export * from './formats/index.js';
export { DECILES, ExactNumericSketch, binIndex, createNumericSketch, type NumericSketch } from './numeric-sketch.js';
export { MAX_TOP_VALUES, createProfiler, profileRows, type Profiler } from './profile.js';
export { createThrottle, currentActivityHooks, throwIfAborted, type ActivityHooks } from './activity-context.js';
export {
  REPORT_FAILURE_LIMIT,
  VALIDATE_HEARTBEAT_INTERVAL_MS,
  badShare,
  boundedFailures,
  buildValidationReport,
  formatFailure,
  scanDataset,
  validationFailedMessage,
  type DatasetScan,
  type ReportedFailure,
  type ScanOptions,
  type ValidateProgress,
  type ValidationReport,
} from './validation-report.js';
export { featureProfile, loadTrainingProfile } from './training-profile.js';
