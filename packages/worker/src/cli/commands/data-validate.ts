import { resolve } from 'node:path';
import type { Command } from '@commander-js/extra-typings';
import { datasetSourceOpener, type ArtifactStore, type ModelRegistry } from '@slipway/activities';
import type { ValidationReport } from '@slipway/activities/data';
import { createValidateActivity } from '@slipway/activities/steps';
import {
  DatasetProfile,
  SlipwayErrorType,
  describeIssues,
  failureType,
  parseExpectationSet,
  rootMessage,
  type ExpectationSet,
  type ProfileReference,
} from '@slipway/sdk';
import { readJsonFile } from '@slipway/sdk/client';
import pc from 'picocolors';
import {
  localDatasetAccess,
  openConfiguredArtifacts,
  openConfiguredRegistry,
  type SlipwayConfig,
} from '../../config/index.js';
import { commandConfig, type GlobalOptions } from '../context.js';
import { byteProgress } from '../progress.js';
import { renderValidationReport } from '../render-report.js';
import { datasetUri } from '../dataset-uri.js';

/** Exit codes of `slipway data validate`. */
export const ValidateExit = { passed: 0, failed: 1, unreadable: 2 } as const;

/** `slipway data validate <dataset> --expect <file.json>`. */
export function registerDataValidateCommand(data: Command, globals: () => GlobalOptions): void {
  data
    .command('validate')
    .description(
      'check a dataset against an expectation file (schema + expectations), with progress; exit 0 when every ' +
        'error-level check passed, 1 when one failed, 2 when the dataset or the file could not be read',
    )
    .argument('<dataset>', 'a local path, a file:// URI or s3://bucket/key')
    .requiredOption('-e, --expect <file>', 'the expectation set: a JSON file with "schema" and "expectations"')
    .option('--reference <profile>', 'what distribution checks compare with: model@alias, or a profile JSON file')
    .option('--max-bad-rows <share>', 'the share of rows (0..1) that may break the schema', Number.parseFloat, 0)
    .option('--json', 'print the report as JSON instead of tables')
    .action(async (dataset, options) => {
      const config = commandConfig(globals());
      process.exitCode = await validateDataset(config, dataset, options);
    });
}

/**
 * Validates one dataset and prints the report; returns the exit code. The command acts for the person running it
 * on their own machine, so it reads any path they name, except Slipway's state directory and files holding keys or
 * tokens (see `localDatasetAccess`).
 */
export async function validateDataset(
  config: SlipwayConfig,
  dataset: string,
  options: { expect: string; reference?: string; maxBadRows: number; json?: boolean },
): Promise<number> {
  const artifacts = openConfiguredArtifacts(config);
  let registry: ModelRegistry | undefined;
  const progress = byteProgress('validating');
  try {
    const set = readExpectationSet(options.expect);
    const reference = options.reference ? await referenceOption(options.reference, artifacts) : set.reference;
    if (reference && !('uri' in reference)) registry = openConfiguredRegistry(config);
    const validate = createValidateActivity({
      artifacts,
      ...(registry ? { registry } : {}),
      openSource: datasetSourceOpener({ s3: config.s3, datasetAccess: localDatasetAccess(config) }),
      hooks: () => progressHooks(progress.update),
    });
    const summary = await validate({
      dataset: { uri: datasetUri(dataset) },
      schema: set.schema as NonNullable<ExpectationSet['schema']>,
      expectations: set.expectations,
      maxBadRowShare: options.maxBadRows,
      ...(reference ? { reference } : {}),
    });
    progress.stop();
    printReport(await artifacts.getJson<ValidationReport>(summary.report), options.json);
    return ValidateExit.passed;
  } catch (err) {
    progress.stop();
    return reportFailure(err, artifacts, options.json);
  } finally {
    await registry?.close();
  }
}

function readExpectationSet(file: string): ExpectationSet {
  const path = resolve(file);
  const set = parseExpectationSet(readJsonFile(path, 'the expectation file'), path);
  if (!set.schema)
    throw new Error(`${path}: an expectation file for "slipway data validate" needs a "schema" that types the columns`);
  return set;
}

async function referenceOption(value: string, artifacts: ArtifactStore): Promise<ProfileReference> {
  const alias = /^([a-z0-9][a-z0-9._-]*)@([A-Za-z0-9_-]+)$/.exec(value);
  if (alias) return { model: alias[1] as string, alias: alias[2] as string };
  const path = resolve(value);
  const profile = DatasetProfile.safeParse(readJsonFile(path, 'the reference profile'));
  if (!profile.success) throw new Error(`${path} is not a dataset profile: ${describeIssues(profile.error)}`);
  return artifacts.putJson(profile.data);
}

function progressHooks(update: (done: number, total: number, detail?: string) => void) {
  return {
    inActivity: false,
    signal: new AbortController().signal,
    heartbeatDetails: undefined,
    heartbeat(details: unknown) {
      const { rows, bytes, totalBytes } = details as { rows: number; bytes: number; totalBytes?: number };
      if (totalBytes) update(bytes, totalBytes, `${rows.toLocaleString('en-US')} rows`);
    },
  };
}

function printReport(report: ValidationReport, json: boolean | undefined): void {
  console.log(json ? JSON.stringify(report, null, 2) : renderValidationReport(report));
}

/** Failed checks print their report and give 1; anything that kept the dataset from being read gives 2. */
async function reportFailure(err: unknown, artifacts: ArtifactStore, json: boolean | undefined): Promise<number> {
  const details = (err as { details?: unknown[] }).details?.[0] as
    { report?: { uri: string; digest: string } } | undefined;
  if (failureType(err) === SlipwayErrorType.ValidationFailed && details?.report) {
    printReport(await artifacts.getJson<ValidationReport>(details.report), json);
    console.error(`${pc.red('✖')} ${rootMessage(err)}`);
    return ValidateExit.failed;
  }
  console.error(`${pc.red('error:')} ${rootMessage(err)}`);
  return ValidateExit.unreadable;
}
