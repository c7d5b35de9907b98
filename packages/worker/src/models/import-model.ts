/**
 * `slipway models import`: registers a model trained outside Slipway. Its ONNX graph gives the features and the
 * task; the reference dataset (read below the dataset roots, pinned by digest) gives the target, the classes, the
 * training profile (for smoke checks and drift) and the held-out metrics Slipway computes itself. Everything is
 * checked and evaluated before the one registry mutation (audited like every other), under a key derived from the
 * file, the reference and the name: importing the same again returns the same version.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import {
  evaluateModel,
  inspectOnnxModel,
  loadOnnxModel,
  onnxManifestFor,
  type ArtifactStore,
  type ModelRegistry,
  type SourceOpener,
  type TypedRow,
} from '@slipway/activities';
import { readDatasetRows } from '@slipway/activities/data';
import { createValidateActivity } from '@slipway/activities/steps';
import {
  ModelName,
  SlipwayErrorType,
  failureType,
  type ClassLabel,
  type Lineage,
  type Metrics,
  type ModelTask,
  type ModelVersionRef,
  type RowSchema,
} from '@slipway/sdk';
import { classOf, planFromGraph, referenceSchema, targetColumn, targetType, taskAndClasses } from './import-plan.js';

/** The trainer name of imported versions. */
export const EXTERNAL_TRAINER = 'external';

/** What an import does not know about a model's training. */
export const UNKNOWN_OF_EXTERNAL = ['training data', 'training params', 'training code', 'training run'] as const;

/** The most distinct target values a classifier's reference may hold. */
const MAX_CLASSES = 1000;

/** What `importModel` works with: the artifact store, the (audited) registry, and a dataset opener with roots. */
export interface ImportDeps {
  artifacts: ArtifactStore;
  registry: ModelRegistry;
  openSource: SourceOpener;
}

/** What to import. */
export interface ImportRequest {
  /** The `.onnx` file (a local path). */
  modelFile: string;
  /** The model's name in the registry. */
  name: string;
  /** The reference dataset's URI. */
  reference: string;
  /** The target column; default the reference's one column the model does not take. */
  target?: string | undefined;
  /** Classifiers: the classes in the order of the probability columns; default the sorted distinct targets. */
  classes?: ClassLabel[] | undefined;
  /** The metrics the trainer reported, recorded as its own. */
  trainerMetrics?: Metrics | undefined;
}

/** What `importModel` registered (or found registered). */
export interface ImportResult {
  version: ModelVersionRef;
  created: boolean;
  task: ModelTask;
  classes?: ClassLabel[];
  metrics: Metrics;
  lineage: Lineage;
}

/** Imports an ONNX model; throws a clear error (naming the file, column or option) before anything is registered. */
export async function importModel(deps: ImportDeps, request: ImportRequest): Promise<ImportResult> {
  const name = ModelName.safeParse(request.name);
  if (!name.success) throw new Error(`--name "${request.name}": ${name.error.issues[0]?.message ?? 'invalid'}`);
  const bytes = await readFile(request.modelFile).catch((err: unknown) => {
    throw new Error(`cannot read the model file ${request.modelFile}: ${(err as Error).message}`);
  });
  const plan = planFromGraph(await inspectOnnxModel(bytes, request.modelFile), request.modelFile);
  const reference = request.reference;
  const columns = await referenceColumns(deps, reference, plan);
  const target = targetColumn(columns, plan, request.target, reference);
  const distinct = await targetValues(deps, reference, plan, target);
  const type = plan.kind === 'regression' ? 'number' : targetType(distinct);
  const given = request.classes?.map((c) => (typeof c === 'string' ? classOf(c, type) : c));
  const labels = plan.kind === 'regression' ? [] : distinct.map((value) => classOf(value, type));
  const { task, classes } = taskAndClasses(plan.kind, labels, given);
  const { features, schema } = referenceSchema(plan, target, type);
  const validate = createValidateActivity({ artifacts: deps.artifacts, openSource: deps.openSource });
  const summary = await validate({ dataset: { uri: reference }, schema, maxBadRowShare: 0 });
  const onnx = await deps.artifacts.putBytes(bytes);
  const manifest = onnxManifestFor({ task, features, signature: plan.signature, classes, model: onnx });
  const predictor = await loadOnnxModel(manifest, { artifacts: deps.artifacts });
  const rows = await typedRows(deps, summary.dataset, schema);
  const { metrics, predictionProfile } = await evaluateModel(predictor, rows, target);
  const profiled = await deps.artifacts.putJson(predictionProfile);
  const artifact = await deps.artifacts.putJson(manifest);
  const trainerMetrics = request.trainerMetrics ?? {};
  const lineage: Lineage = {
    datasetUri: summary.dataset.uri,
    datasetDigest: summary.dataset.digest,
    validationReport: summary.report,
    profile: summary.profile,
    trainer: EXTERNAL_TRAINER,
    params: {},
    features,
    codeVersion: 'unknown',
    workflowId: '',
    temporalRunId: '',
    task,
    predictionProfile: profiled,
    external: {
      onnxDigest: onnx.digest,
      fileName: basename(request.modelFile),
      trainerMetrics,
      unknown: [...UNKNOWN_OF_EXTERNAL],
    },
  };
  const key = importKey({
    name: name.data,
    onnx: onnx.digest,
    reference: summary.dataset.digest,
    target,
    classes,
    trainerMetrics,
  });
  const { version, created } = await deps.registry.registerVersion({
    name: name.data,
    artifact,
    metrics,
    lineage,
    idempotencyKey: key,
  });
  return {
    version: { name: version.name, version: version.version, digest: version.artifact.digest },
    created,
    task,
    ...(classes ? { classes } : {}),
    metrics: version.metrics,
    lineage: version.lineage,
  };
}

/** The idempotency key of an import: the same file, reference, name and choices give the same version. */
function importKey(parts: Record<string, unknown>): string {
  const digest = createHash('sha256').update(JSON.stringify(parts)).digest('hex');
  return `import/${String(parts['name'])}/${digest}`;
}

/** The reference's columns; a reference without a feature column fails naming the missing columns. */
async function referenceColumns(
  deps: ImportDeps,
  uri: string,
  plan: { numeric: string[]; categorical: string[] },
): Promise<string[]> {
  const columns: RowSchema['columns'] = {};
  for (const name of [...plan.numeric, ...plan.categorical]) columns[name] = { type: 'string', nullable: true };
  const rows = readDatasetRows({ uri }, { schema: { columns, allowExtraColumns: true }, openSource: deps.openSource });
  try {
    for await (const _row of rows) break;
  } catch (err) {
    const misfit = err instanceof Error && failureType(err) === SlipwayErrorType.ValidationFailed;
    if (misfit) err.message = `the reference does not fit the model's inputs: ${err.message}`;
    throw err;
  }
  return [...(rows.reader.columns ?? [])];
}

/** The distinct values of the target column as text (a classifier's classes; bounded). */
async function targetValues(deps: ImportDeps, uri: string, plan: { kind: string }, target: string): Promise<string[]> {
  const schema: RowSchema = { columns: { [target]: { type: 'string', nullable: true } }, allowExtraColumns: true };
  const distinct = new Set<string>();
  for await (const row of readDatasetRows({ uri }, { schema, openSource: deps.openSource })) {
    const value = row.ok ? row.row[target] : null;
    if (typeof value !== 'string' || value === '') continue;
    distinct.add(value);
    if (plan.kind === 'regression') break;
    if (distinct.size > MAX_CLASSES) {
      throw new Error(`the target ${target} of ${uri} holds more than ${MAX_CLASSES} distinct values: not classes`);
    }
  }
  return [...distinct];
}

/** Every row of the pinned reference, typed by the schema (the digest is checked as it is read). */
async function typedRows(deps: ImportDeps, dataset: { uri: string; digest: string }, schema: RowSchema) {
  const rows: TypedRow[] = [];
  const reader = readDatasetRows({ uri: dataset.uri }, { schema, openSource: deps.openSource });
  for await (const row of reader) if (row.ok) rows.push(row.row);
  const digest = reader.reader.digest();
  if (digest !== dataset.digest) {
    throw new Error(`${dataset.uri} changed while it was imported (${dataset.digest}, now ${digest}): import again`);
  }
  return rows;
}
