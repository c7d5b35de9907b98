import { readFile } from 'node:fs/promises';
import type { Command } from '@commander-js/extra-typings';
import { datasetSourceOpener, withAudit } from '@slipway/activities';
import type { Metrics } from '@slipway/sdk';
import pc from 'picocolors';
import {
  checkAuditAnchor,
  datasetAccessOf,
  openConfiguredArtifacts,
  openConfiguredAuditLog,
  openConfiguredRegistry,
  type SlipwayConfig,
} from '../../config/index.js';
import { importModel, type ImportResult } from '../../models/import-model.js';
import { commandConfig, type GlobalOptions } from '../context.js';
import { datasetUri } from '../dataset-uri.js';

/** `slipway models import <model.onnx> --name <model> --reference <dataset>`: registers a model trained elsewhere. */
export function registerImportCommand(models: Command, globals: () => GlobalOptions): void {
  models
    .command('import')
    .description(
      'register an ONNX model trained outside Slipway: features and task from its graph, the training profile and ' +
        'the held-out metrics Slipway computes itself from a reference dataset (below the dataset roots, pinned by digest)',
    )
    .argument('<model>', 'the .onnx file')
    .requiredOption('--name <model>', 'the model name in the registry')
    .requiredOption('--reference <dataset>', 'the reference dataset: a path or URI below the configured dataset roots')
    .option('--metrics <file>', "a JSON file of the trainer's own metrics (recorded as the trainer's, not Slipway's)")
    .option('--classes <classes...>', 'classifiers: the classes in the order of the probability columns')
    .option('--target <column>', "the reference's target column (default: its one column the model does not take)")
    .option('--json', 'print the result as JSON')
    .action(async (file, options) => {
      const config = commandConfig(globals());
      const result = await importWithConfig(config, {
        modelFile: file,
        name: options.name,
        reference: datasetUri(options.reference),
        target: options.target,
        classes: options.classes?.flatMap((c) => c.split(',')).filter((c) => c !== ''),
        trainerMetrics: options.metrics === undefined ? undefined : await readMetrics(options.metrics),
      });
      console.log(options.json ? JSON.stringify(result, null, 2) : describeImport(result));
    });
}

/** Imports with the configured artifact store, the audited registry (actor: the CLI user) and the dataset roots. */
async function importWithConfig(config: SlipwayConfig, request: Parameters<typeof importModel>[1]) {
  const artifacts = openConfiguredArtifacts(config);
  const plain = openConfiguredRegistry(config);
  const actor = `cli:${config.identity ?? process.env.USER ?? 'unknown'}`;
  try {
    await checkAuditAnchor(config, plain);
    const registry = withAudit(plain, openConfiguredAuditLog(config), { artifacts, actor: () => actor });
    const openSource = datasetSourceOpener({ s3: config.s3, datasetAccess: datasetAccessOf(config) });
    return await importModel({ artifacts, registry, openSource }, request);
  } finally {
    await plain.close();
  }
}

/** The trainer's own metrics: a JSON object of finite numbers; anything else names the file and the key. */
export async function readMetrics(path: string): Promise<Metrics> {
  const text = await readFile(path, 'utf8').catch((err: unknown) => {
    throw new Error(`cannot read --metrics ${path}: ${(err as Error).message}`);
  });
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new Error(`--metrics ${path} is not JSON: ${(err as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`--metrics ${path}: expected an object of metric names to numbers, e.g. {"auc": 0.83}`);
  }
  for (const [key, metric] of Object.entries(value)) {
    if (typeof metric !== 'number' || !Number.isFinite(metric)) {
      throw new Error(`--metrics ${path}: "${key}" is ${JSON.stringify(metric)}, not a finite number`);
    }
  }
  return value as Metrics;
}

function describeImport(result: ImportResult): string {
  const { version, task, metrics, lineage } = result;
  const line = (m: Metrics) =>
    Object.entries(m)
      .map(([k, v]) => `${k} ${v.toFixed(4)}`)
      .join(', ') || '—';
  return [
    `${pc.green('✔')} ${version.name} v${version.version} ${result.created ? 'imported' : 'was already imported'} (${task}${result.classes ? `, classes ${result.classes.map((c) => JSON.stringify(c)).join(', ')}` : ''})`,
    `  metrics on the reference (computed by Slipway): ${line(metrics)}`,
    `  the trainer's own metrics: ${line(lineage.external?.trainerMetrics ?? {})}`,
    `  reference ${lineage.datasetUri} (${lineage.datasetDigest})`,
    pc.dim(`  unknown: ${(lineage.external?.unknown ?? []).join(', ')}`),
    `  to gate and deploy it: slipway run promoteVersion --input <file> with "version": ${JSON.stringify(version)}`,
  ].join('\n');
}
