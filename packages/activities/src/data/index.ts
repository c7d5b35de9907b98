/**
 * Reading, checking and profiling datasets, and the `slipway.validate` activity.
 *
 * ```ts
 * const validate = createValidateActivity({ artifacts: createFsArtifactStore('.slipway/artifacts') });
 * const summary = await validate({ dataset: { uri: 'file:///data/churn.csv' }, schema: { columns: { … } } });
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
  type CellResult,
  type CellValue,
  type CompiledRowSchema,
  type RowCheckResult,
} from './cell-checker.js';
export {
  DEFAULT_MAX_RECORD_CHARS,
  assertDatasetFile,
  datasetPath,
  readCsvRows,
  type CsvReadOptions,
  type CsvRowEvent,
  type CsvRowReader,
} from './csv-reader.js';
export { describeParseError, type DescribedParseError } from './csv-errors.js';
export { DECILES, ExactNumericSketch, binIndex, createNumericSketch, type NumericSketch } from './numeric-sketch.js';
export { MAX_TOP_VALUES, createProfiler, profileRows, type Profiler } from './profile.js';
export { createThrottle, currentActivityHooks, throwIfAborted, type ActivityHooks } from './activity-context.js';
export {
  REPORT_FAILURE_LIMIT,
  VALIDATE_HEARTBEAT_INTERVAL_MS,
  badShare,
  buildValidationReport,
  formatFailure,
  scanDataset,
  validationFailedMessage,
  type DatasetScan,
  type ValidationReport,
} from './validation-report.js';
export { createValidateActivity, type ValidateActivity, type ValidateActivityDeps } from './validate-activity.js';
