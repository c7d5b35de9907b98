// Child process: validates the dataset with Slipway's validate activity (outside Temporal, as a plain async
// function) and prints one JSON line: rows, failing rows, per-column failures, duplicates, time, peak RSS.
// Usage: node slipway-child.mjs <input.json>   (input: { csv, rows, artifactsDir })
import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { createFsArtifactStore } from '@slipway/activities';
import { createValidateActivity } from '@slipway/activities/steps';
import { expectations, rowSchema, UNIQUE_COLUMN } from './spec.mjs';

const { csv, rows, artifactsDir } = JSON.parse(await readFile(process.argv[2], 'utf8'));
const artifacts = createFsArtifactStore(artifactsDir);
const validate = createValidateActivity({ artifacts });
const input = {
  dataset: { uri: pathToFileURL(csv).href },
  schema: rowSchema(),
  expectations: expectations(rows),
  maxBadRowShare: 0.01,
};

const started = performance.now();
let reportRef;
let outcome;
try {
  const summary = await validate(input);
  reportRef = summary.report;
  outcome = 'passed';
} catch (err) {
  // The injected duplicates fail the (error-level) uniqueness check: the failure carries the report.
  reportRef = err?.details?.[0]?.report;
  if (reportRef === undefined) throw err;
  outcome = `failed: ${err.message.slice(0, 200)}`;
}
const seconds = (performance.now() - started) / 1000;
const report = await artifacts.getJson(reportRef);
const unique = report.checks.find((c) => c.expect === 'unique' && c.column === UNIQUE_COLUMN);
const rowCount = report.checks.find((c) => c.expect === 'rowCount');
process.stdout.write(
  `${JSON.stringify({
    rows: report.rows,
    badRows: report.badRows,
    raggedRows: report.raggedRows,
    failingCells: report.columnFailureCounts,
    duplicates: unique?.failed,
    rowCountPassed: rowCount?.passed,
    outcome,
    seconds,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
  })}\n`,
);
