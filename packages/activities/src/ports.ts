/**
 * The interfaces every side effect sits behind. Each has an embedded adapter here (filesystem, SQLite,
 * in-process trainer); later adapters (S3, MLflow, remote trainers) implement the same interfaces and
 * pass the same conformance tests.
 */
import type { ArtifactRef, FeatureSpec, GateDecision, Lineage, Metrics, RowSchema } from '@slipway/sdk';
import type { S3Settings } from './sources/s3-settings.js';

/** Options of every `ArtifactStore` put. */
export interface PutOptions {
  /** The media type recorded in the returned reference (default `application/octet-stream`). */
  mediaType?: string;
  /**
   * A file-name extension the stored object's name ends with, e.g. `.csv.gz`, so that whatever infers a
   * format from a name (such as `datasetEncoding`) still can: one to three parts of 1–16 letters or digits.
   * The same bytes stored with another extension are another object with the same digest.
   */
  extension?: string;
}

/** Content-addressed, immutable artifact storage. */
export interface ArtifactStore {
  /** Stores bytes; storing the same bytes twice returns the same reference. Readers never see a partial object. */
  putBytes(bytes: Uint8Array, options?: PutOptions): Promise<ArtifactRef>;
  /** Stores a value as canonical JSON (`application/json`). */
  putJson(value: unknown): Promise<ArtifactRef>;
  /** Stores a file's bytes, streaming, without loading it in memory. */
  putFile(path: string, options?: PutOptions): Promise<ArtifactRef>;
  /**
   * Stores the bytes of a stream (any async iterable of chunks, such as a Node.js `Readable`), hashing them
   * as they are written, without holding them in memory. If the stream fails, nothing is stored and the
   * stream's error is thrown.
   */
  putStream(source: AsyncIterable<Uint8Array>, options?: PutOptions): Promise<ArtifactRef>;
  /** Reads an artifact and verifies its digest; a mismatch throws a `SlipwayDigestMismatch` failure. */
  getBytes(ref: Pick<ArtifactRef, 'uri' | 'digest'>): Promise<Buffer>;
  /** Reads and parses a JSON artifact (digest verified). */
  getJson<T = unknown>(ref: Pick<ArtifactRef, 'uri' | 'digest'>): Promise<T>;
}

/** An approval outcome as recorded in the registry. */
export interface ApprovalRecord {
  outcome: 'approved' | 'rejected' | 'expired';
  decisions: GateDecision[];
  evidenceDigest: string;
  workflowId: string;
  runId: string;
  recordedAt: string;
}

/** A deployment as recorded in the registry. */
export interface DeploymentRecord {
  deploymentId: string;
  serverUrl: string;
  alias: string;
  previousVersion: number | null;
  status: 'deployed' | 'failed' | 'rolled_back';
  detail?: string;
  recordedAt: string;
}

/** One registered model version with everything known about it. */
export interface ModelVersionRecord {
  name: string;
  version: number;
  artifact: ArtifactRef;
  metrics: Metrics;
  lineage: Lineage;
  createdAt: string;
  /** Aliases that currently point at this version. */
  aliases: string[];
  approvals: ApprovalRecord[];
  deployments: DeploymentRecord[];
}

/** A registered model with its versions count and aliases. */
export interface ModelSummary {
  name: string;
  latestVersion: number;
  versions: number;
  aliases: Record<string, number>;
}

/** Input of `ModelRegistry.registerVersion`. */
export interface RegisterVersionInput {
  name: string;
  artifact: ArtifactRef;
  metrics: Metrics;
  lineage: Lineage;
  /** Same key, same version: a retried register never creates a second version. */
  idempotencyKey: string;
}

/** Input of `ModelRegistry.recordApproval`. */
export interface RecordApprovalInput extends Omit<ApprovalRecord, 'recordedAt'> {
  name: string;
  version: number;
  idempotencyKey: string;
}

/** Input of `ModelRegistry.recordDeployment`. */
export interface RecordDeploymentInput extends Omit<DeploymentRecord, 'recordedAt'> {
  name: string;
  version: number;
  idempotencyKey: string;
}

/** Model versions, aliases, approvals and deployments. */
export interface ModelRegistry {
  /** Registers a new version (numbered 1, 2, … per model), or returns the one registered under the same key. */
  registerVersion(input: RegisterVersionInput): Promise<{ version: ModelVersionRecord; created: boolean }>;
  getVersion(name: string, version: number): Promise<ModelVersionRecord | undefined>;
  /** Resolves `3`, `'3'`, `'v3'` or an alias such as `'champion'`. */
  resolve(name: string, versionOrAlias: string | number): Promise<ModelVersionRecord | undefined>;
  listModels(): Promise<ModelSummary[]>;
  listVersions(name: string): Promise<ModelVersionRecord[]>;
  getAlias(name: string, alias: string): Promise<number | undefined>;
  /** Points an alias at a version; returns the version it pointed at before. Idempotent. */
  setAlias(name: string, alias: string, version: number): Promise<{ previous: number | null }>;
  recordApproval(input: RecordApprovalInput): Promise<{ created: boolean }>;
  recordDeployment(input: RecordDeploymentInput): Promise<{ created: boolean }>;
  close(): Promise<void>;
}

/** A parsed, typed row: column name → value (`null` for empty cells). */
export type TypedRow = Record<string, string | number | boolean | null>;

/** A serialized model: JSON-able, tagged with the `kind` that knows how to load it. */
export interface SerializedModel {
  kind: string;
  [key: string]: unknown;
}

/** Scores rows with a loaded model: the probability of the positive class. */
export interface Predictor {
  readonly kind: string;
  readonly features: FeatureSpec;
  predict(row: TypedRow): number;
}

/** Progress a trainer reports; `checkpoint` must be small JSON (it goes into a heartbeat). */
export interface TrainingProgress {
  epoch: number;
  totalEpochs: number;
  loss: number;
  checkpoint: unknown;
}

/** What a trainer gets besides its data. */
export interface TrainerContext {
  /** The last checkpoint a previous attempt reported, if this is a retry. */
  checkpoint: unknown;
  /** Reports progress; throttled and sent as an activity heartbeat. */
  progress(update: TrainingProgress): void;
  /** Aborted when the activity is cancelled or the worker shuts down. */
  signal: AbortSignal;
}

/** What a trainer is given. */
export interface TrainerInput {
  rows: TypedRow[];
  features: FeatureSpec;
  params: Record<string, unknown>;
  seed: number;
}

/** What a trainer returns. */
export interface TrainerResult {
  model: SerializedModel;
  /** The parameters actually used, defaults included. */
  params: Record<string, unknown>;
  /** The epoch training resumed from (0 when it started fresh). */
  resumedFromEpoch: number;
}

/** Trains a model in process. */
export interface Trainer {
  readonly name: string;
  train(input: TrainerInput, context: TrainerContext): Promise<TrainerResult>;
}

/** Loads serialized models of one kind. */
export type PredictorLoader = (model: SerializedModel) => Predictor;

/** Everything `createActivities` needs. */
export interface ActivityDeps {
  artifacts: ArtifactStore;
  registry: ModelRegistry;
  /** Trainers by name; the built-in `logistic-regression` is added when absent. */
  trainers?: Record<string, Trainer>;
  /** Model loaders by kind; the built-in `logistic-regression` is added when absent. */
  predictors?: Record<string, PredictorLoader>;
  /** The code version recorded in lineage; by default the git commit or package version of the worker. */
  codeVersion?: string;
  /** How to reach S3 for `s3://` datasets; by default the environment's settings (`AWS_*`, `SLIPWAY_S3_*`). */
  s3?: S3Settings;
}

/** Re-exported for adapters. */
export type { RowSchema };
