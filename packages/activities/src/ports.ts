/**
 * The interfaces every side effect sits behind. Each has an embedded adapter here (filesystem, SQLite,
 * in-process trainer); later adapters (S3, MLflow, remote trainers) implement the same interfaces and
 * pass the same conformance tests.
 */
import type {
  AbortCandidateAnswer,
  ArtifactRef,
  ClassLabel,
  FeatureRow,
  ModelStatusAnswer,
  NotificationEventInput,
  NotifyOutcome,
  PredictAnswer,
  PromoteCandidateAnswer,
  RollbackAnswer,
  SetTrafficRequest,
  StageAnswer,
  StageRequest,
  TrafficAnswer,
  WindowAnswer,
  FeatureSpec,
  GateDecision,
  Lineage,
  Metrics,
  ModelTask,
  RefusedDecision,
  RowSchema,
} from '@slipway/sdk';
import type { DatasetAccess } from './sources/dataset-roots.js';
import type { LoadedDirectory } from './directory/load-directory.js';
import type { S3Settings } from './sources/s3-settings.js';
import type { AuditLog } from './audit/audit-log.js';

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
  /**
   * Where the gate's whole `ApprovalProof` is stored: content-addressed JSON in the artifact store (see
   * `readRecordedApproval`). Absent on records made before proofs were stored with the outcome.
   */
  proof?: StoredProofRef | undefined;
}

/** A stored approval proof: its artifact's URI and the sha256 digest of its bytes. */
export interface StoredProofRef {
  uri: string;
  digest: string;
}

/** A deployment as recorded in the registry. */
export interface DeploymentRecord {
  deploymentId: string;
  serverUrl: string;
  alias: string;
  previousVersion: number | null;
  /**
   * `deployed`: it served (as stable) from then on; `failed`: the deploy failed, nothing of it served;
   * `rolled_back`: taken off the traffic (a breach, an abort, a rollback); `retired`: replaced by a newer version
   * whose rollout succeeded, and taken off the record as live after the drain (a rollback may still restore it).
   */
  status: 'deployed' | 'failed' | 'rolled_back' | 'retired';
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
  /** The experiment-tracking run that trained this version (params, metrics, series), when one was linked. */
  trackingRunId?: string;
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
  /** The tracking run (see `ExperimentTracker`) that trained the model; recorded with the version. */
  trackingRunId?: string;
}

/** Input of `ModelRegistry.recordApproval`. */
export interface RecordApprovalInput extends Omit<ApprovalRecord, 'recordedAt'> {
  name: string;
  version: number;
  idempotencyKey: string;
  /** The nonce the gate published, which every signed decision names; carried by the audit line. */
  gateNonce?: string | undefined;
  /** Who started the run: the verified signer of its start; carried by the audit line. */
  startedBy?: string | undefined;
  /** Every decision the gate refused, with its reason; carried by the audit line. */
  refused?: RefusedDecision[] | undefined;
}

/** Input of `ModelRegistry.recordDeployment`. */
export interface RecordDeploymentInput extends Omit<DeploymentRecord, 'recordedAt'> {
  name: string;
  version: number;
  idempotencyKey: string;
}

/** Where an experiment-tracking run is in its life. */
export type TrackingRunStatus = 'running' | 'finished' | 'failed' | 'killed';

/** A parameter value as logged: tracking stores every parameter as a string. */
export type ParamValue = string | number | boolean;

/** One experiment-tracking run: what was trained with which parameters, and what it scored. */
export interface TrackingRunRecord {
  /** The backend's run id (MLflow's run id; a 32-hex id in SQLite). */
  runId: string;
  experiment: string;
  name: string;
  status: TrackingRunStatus;
  startedAt: string;
  endedAt: string | null;
  tags: Record<string, string>;
  /** Parameters, as strings (logged once each; a parameter never changes). */
  params: Record<string, string>;
  /** Every metric's value at its highest step (the final value of a series). */
  metrics: Metrics;
}

/** One point of a metric series, e.g. the training loss after epoch `step`. */
export interface MetricPoint {
  step: number;
  value: number;
}

/** Input of `ExperimentTracker.startRun`. */
export interface StartRunInput {
  /** The experiment the run belongs to; created when missing. */
  experiment: string;
  name: string;
  /** Searchable string tags (see `findRuns`). */
  tags?: Record<string, string>;
  /** When the work started (ISO 8601); default now. */
  startedAt?: string;
  /** Same key, same run: a retried start never creates a second run. */
  idempotencyKey: string;
}

/** Input of `ExperimentTracker.logMetrics`: scalar metrics at one step (default 0). */
export interface LogMetricsInput {
  runId: string;
  metrics: Metrics;
  step?: number;
  /** Same key, logged once: a retried call adds no second value. */
  idempotencyKey: string;
}

/** Input of `ExperimentTracker.logMetricSeries`: one metric's values over steps (at most one value per step). */
export interface LogMetricSeriesInput {
  runId: string;
  key: string;
  points: MetricPoint[];
  /** Same key, logged once: a retried call adds no second series. */
  idempotencyKey: string;
}

/** Input of `ExperimentTracker.finishRun`. */
export interface FinishRunInput {
  runId: string;
  status: Exclude<TrackingRunStatus, 'running'>;
  /** When the work ended (ISO 8601); default now. */
  endedAt?: string;
}

/**
 * Experiment tracking (the port once called `RunTracker`; `RunTracker` in `@slipway/sdk/workflow` is a workflow's
 * progress): runs with parameters, final metrics and metric series. Every registry adapter
 * implements it on the same backend (SQLite tables, or MLflow runs), so a version's lineage can name the run
 * that trained it. Writes are idempotent under retry.
 */
export interface ExperimentTracker {
  /** Creates a run, or returns the one started under the same key (`created: false`). */
  startRun(input: StartRunInput): Promise<{ run: TrackingRunRecord; created: boolean }>;
  /** Logs parameters; logging a parameter again with the same value is a no-op, with another value a final error. */
  logParams(runId: string, params: Record<string, ParamValue>): Promise<void>;
  logMetrics(input: LogMetricsInput): Promise<{ created: boolean }>;
  logMetricSeries(input: LogMetricSeriesInput): Promise<{ created: boolean }>;
  /** Ends a run with a status; ending it again changes nothing. */
  finishRun(input: FinishRunInput): Promise<void>;
  getRun(runId: string): Promise<TrackingRunRecord | undefined>;
  /** One metric's points, by ascending step (empty when the run or metric has none). */
  getMetricSeries(runId: string, key: string): Promise<MetricPoint[]>;
  /** Runs carrying every given tag, oldest first (optionally within one experiment). */
  findRuns(query: { tags: Record<string, string>; experiment?: string }): Promise<TrackingRunRecord[]>;
}

/**
 * A position in an audit log: the log's id (its lines' `log` field: host and a hash of its path, see
 * `defaultAuditLogId`), and one of its lines by `seq` and `hash`.
 */
export interface AuditHead {
  logId: string;
  seq: number;
  hash: string;
}

/**
 * What an audited registry mutation is about to change, as the registry determined it inside its critical
 * section (for `register`, the version number it is about to assign).
 */
export type PlannedMutation =
  | { kind: 'register'; record: ModelVersionRecord; idempotencyKey: string }
  | {
      kind: 'alias';
      name: string;
      alias: string;
      version: number;
      previous: number | null;
      idempotencyKey?: string;
    }
  | { kind: 'approval'; input: RecordApprovalInput }
  | { kind: 'deployment'; input: RecordDeploymentInput };

/**
 * Writes the audit line of a planned mutation and returns that line's head. A registry calls it only when the
 * mutation changes something, before it applies the mutation, and stores the head with the mutation.
 */
export type AuditRecorder = (planned: PlannedMutation) => Promise<AuditHead>;

/** Options of every `ModelRegistry` mutation. */
export interface MutationOptions {
  /**
   * Makes the mutation audited: the registry calls `audit` once it knows what will change (and not at all when
   * nothing will), then applies the mutation with the returned head (SQLite: in the same transaction). A
   * failing `audit` leaves the registry unchanged. See `withAudit`, which passes it on every mutation.
   */
  audit?: AuditRecorder;
}

/** A public key that signs an audit log's lines, as the registry records it. */
export interface AuditKeyRecord {
  logId: string;
  /** `ed25519:<16 hex>`: the start of the sha256 of the public key. */
  keyId: string;
  /** The Ed25519 public key: SPKI DER, base64. */
  publicKey: string;
  /**
   * The log's last line when this key was registered, when that line was unsigned (written before audit lines
   * were signed): lines up to it are accepted without a signature if the chain reaches this hash.
   */
  legacyHead?: { seq: number; hash: string };
  registeredAt: string;
}

/**
 * The registry's side of the audit trail, what `verifyAuditLog` trusts: the public keys of each log's writers,
 * and the head of the last mutation applied (the highest `seq` stored with a mutation, per log).
 */
export interface AuditAnchor {
  /** Records a writer's public key for a log; recording it again changes nothing. A different key under the same id is refused. */
  registerAuditKey(key: Omit<AuditKeyRecord, 'registeredAt'>): Promise<{ created: boolean }>;
  /** The keys recorded for a log, oldest first. */
  auditKeys(logId: string): Promise<AuditKeyRecord[]>;
  /** The head of the last mutation applied with a line of this log; undefined when none was. */
  auditHead(logId: string): Promise<AuditHead | undefined>;
}

/** Options of `ModelRegistry.setAlias`. */
export interface SetAliasOptions extends MutationOptions {
  /**
   * Makes the move happen once: a retried call with the same key changes nothing and returns the `previous`
   * of the first call (not the version the first call moved the alias to).
   */
  idempotencyKey?: string;
}

/**
 * Model versions, aliases, approvals and deployments, the tracking runs that trained them, and the audit
 * trail's anchor (writers' keys and the head stored with each mutation).
 */
export interface ModelRegistry extends ExperimentTracker, AuditAnchor {
  /** Registers a new version (numbered 1, 2, … per model), or returns the one registered under the same key. */
  registerVersion(
    input: RegisterVersionInput,
    options?: MutationOptions,
  ): Promise<{ version: ModelVersionRecord; created: boolean }>;
  getVersion(name: string, version: number): Promise<ModelVersionRecord | undefined>;
  /** Resolves `3`, `'3'`, `'v3'` or an alias such as `'champion'`. */
  resolve(name: string, versionOrAlias: string | number): Promise<ModelVersionRecord | undefined>;
  listModels(): Promise<ModelSummary[]>;
  listVersions(name: string): Promise<ModelVersionRecord[]>;
  getAlias(name: string, alias: string): Promise<number | undefined>;
  /** Points an alias at a version; returns the version it pointed at before. Idempotent. */
  setAlias(
    name: string,
    alias: string,
    version: number,
    options?: SetAliasOptions,
  ): Promise<{ previous: number | null }>;
  recordApproval(input: RecordApprovalInput, options?: MutationOptions): Promise<{ created: boolean }>;
  recordDeployment(input: RecordDeploymentInput, options?: MutationOptions): Promise<{ created: boolean }>;
  close(): Promise<void>;
}

/** A parsed, typed row: column name → value (`null` for empty cells). */
export type TypedRow = Record<string, string | number | boolean | null>;

/** A serialized model: JSON-able, tagged with the `kind` that knows how to load it. */
export interface SerializedModel {
  kind: string;
  [key: string]: unknown;
}

/** A value a model fills in for a feature a request leaves out. */
export type ImputedValue = string | number | boolean;

/**
 * One model output: the probability of each class, in the predictor's `classes` order (classification), or the
 * predicted value (regression).
 */
export type ModelOutput = { readonly probabilities: readonly number[] } | { readonly value: number };

/**
 * Scores rows with a loaded model. Besides its features, a model declares what it accepts in their place, and the
 * model server holds every request to that (see `checkPredictionRow`):
 * - `nullable`: features for which `null` is a value the model was trained with (they held nulls in training);
 *   for every other feature a `null` counts as missing;
 * - `imputation`: the value the model fills in, per feature, when one is missing. Without a value for it, a
 *   missing feature is refused.
 */
export interface Predictor {
  readonly kind: string;
  /** What the model predicts; its outputs follow it (`probabilities` for a classifier, `value` for regression). */
  readonly task: ModelTask;
  readonly features: FeatureSpec;
  /** Classification: the classes in the order of `probabilities` (binary: negative, then positive). */
  readonly classes?: readonly ClassLabel[];
  /** Features that may be `null` (default none). */
  readonly nullable?: readonly string[];
  /** The value per feature the model fills in when it is missing (default none: every feature is required). */
  readonly imputation?: Readonly<Record<string, ImputedValue>>;
  /**
   * Scores rows, one output per row in order; each row holds every feature (missing ones already imputed). A row
   * the model cannot read is a thrown error naming the feature.
   */
  predict(rows: readonly TypedRow[]): Promise<ModelOutput[]>;
}

/** Progress a trainer reports; `checkpoint` must be small JSON (it goes into a heartbeat). */
export interface TrainingProgress {
  epoch: number;
  totalEpochs: number;
  loss: number;
  checkpoint: unknown;
}

/**
 * Where a trainer records per-epoch metrics (e.g. its training loss) for the tracking run's metric series. The
 * series is sampled so that it stays small whatever the number of epochs: every epoch while there are few, then
 * every 2nd, 4th, … epoch (and always the last one recorded). It survives a retry: it travels in the heartbeat
 * with the checkpoint, so a run resumed from a checkpoint continues the same series.
 */
export interface EpochMetrics {
  /** Whether a value recorded for `epoch` would be kept; ask before computing a costly value. */
  wants(epoch: number): boolean;
  /**
   * Records metrics after `epoch` epochs (0: before the first), e.g. `{ trainLoss: 0.41 }`. Recording an epoch
   * at or before the last one recorded starts the series again from there (a run restarted from an earlier
   * checkpoint); non-finite values are skipped. Metric names follow the tracking rules (letters, digits, `_`,
   * `-`, `.`, ` `, `:`, `/`); a bad name, or more than `MAX_EPOCH_METRICS` names, is a final `SlipwayInvalidInput`.
   */
  record(epoch: number, metrics: Metrics): void;
}

/** What a trainer gets besides its data. */
export interface TrainerContext {
  /** The last checkpoint a previous attempt reported, if this is a retry. */
  checkpoint: unknown;
  /** Reports progress; throttled and sent as an activity heartbeat. */
  progress(update: TrainingProgress): void;
  /** Aborted when the activity is cancelled or the worker shuts down. */
  signal: AbortSignal;
  /** Per-epoch metrics for the tracking run; absent when nothing tracks the run (then record nothing). */
  epochs?: EpochMetrics;
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
  /** The tasks it trains models for (default `['binary']`): the train step refuses any other. */
  readonly tasks?: readonly ModelTask[];
  train(input: TrainerInput, context: TrainerContext): Promise<TrainerResult>;
}

/**
 * A configured trainer process: the command the train step runs (an argv array, no shell) for a run that names it,
 * the grace period between SIGTERM and SIGKILL, and environment variables on top of the few a trainer inherits.
 */
export interface ProcessTrainerConfig {
  readonly command: readonly string[];
  /** Milliseconds between SIGTERM and SIGKILL on cancellation or heartbeat timeout (default 30 s). */
  readonly graceMs?: number | undefined;
  readonly env?: Readonly<Record<string, string>> | undefined;
}

/** What a model loader may use besides the serialized model: the store its referenced files are read from. */
export interface PredictorLoadContext {
  artifacts: ArtifactStore;
}

/** Loads serialized models of one kind (an ONNX manifest reads its `.onnx` file through `context.artifacts`). */
export type PredictorLoader = (model: SerializedModel, context: PredictorLoadContext) => Predictor | Promise<Predictor>;

/** Everything `createActivities` needs. */
export interface ActivityDeps {
  artifacts: ArtifactStore;
  /**
   * The audit log the registry's mutations are written to (`withAudit`): the model guardian records each of its
   * decisions there as a `guardian` line. The Slipway worker always passes it; without it those decisions fail.
   */
  auditLog?: AuditLog;
  /** The model registry; the train step also tracks its runs here (params, metric series, final metrics). */
  registry: ModelRegistry;
  /** Trainers by name; the built-in `logistic-regression` is added when absent. */
  trainers?: Record<string, Trainer>;
  /** Model loaders by kind; the built-in `logistic-regression` is added when absent. */
  predictors?: Record<string, PredictorLoader>;
  /**
   * Trainer processes by name (trainer protocol, `docs/trainer-protocol.md`), from the worker's configuration: a
   * run input names one, the command comes only from here (the Slipway worker passes `configuredProcessTrainers`).
   */
  processTrainers?: Record<string, ProcessTrainerConfig>;
  /** The code version recorded in lineage; by default the git commit or package version of the worker. */
  codeVersion?: string;
  /** How to reach S3 for `s3://` datasets; by default the environment's settings (`AWS_*`, `SLIPWAY_S3_*`). */
  s3?: S3Settings;
  /**
   * Where steps may read datasets from (see `checkDatasetAccess`). Without it, only below the working directory of
   * the process, with nothing denied; the Slipway worker always passes the configured roots, with its state
   * directory and secret files denied (`datasetAccessOf(config)` in `@slipway/worker`).
   */
  datasetAccess?: DatasetAccess;
  /**
   * The configured model server and its control-plane token, for the deploy and monitor steps (the worker's
   * configuration gives it). The token goes to this server's origin only; a step naming another `serverUrl` fails.
   */
  modelServer?: ModelServerAccess;
  /** The directory of people approver groups are resolved from; without it a policy naming groups fails. */
  directory?: DirectorySource;
  /**
   * Builds the deploy target the rollout steps act on at a step's `serverUrl`; by default the local model server's
   * client. The token in its options is the configured model server's, given only for that server's origin.
   */
  deployTarget?: DeployTargetFactory;
  /**
   * The configured deploy targets other than the model server (the worker's `deployTargets` setting): a rollout
   * step whose `serverUrl` is one of their URLs acts on it through its adapter, with its own token, sent to that
   * origin only. A step naming a URL that is neither these nor the model server is refused.
   */
  deployTargets?: readonly DeployTargetAccess[];
  /**
   * Where the `slipway.notify` step sends events (the worker's `notifiers` setting, `configuredNotifiers(config)`);
   * without it nothing is sent and the step's outcome lists no deliveries.
   */
  notifier?: Notifier;
}

/**
 * A configured webhook deploy target (`docs/deploy-target-webhook.md`): its base URL and its bearer token, read
 * when first needed (never part of a run's input or history).
 */
export interface DeployTargetAccess {
  /** The adapter that speaks to it. */
  readonly kind: 'webhook';
  /** The target's base URL as configured (no trailing slash); the token is sent to this origin only. */
  readonly url: string;
  /** The bearer token; read on first use. */
  token(): Promise<string>;
}

/** The configured model server: its URL and its control-plane token. */
export interface ModelServerAccess {
  /** The configured model server's base URL; the token is sent to this origin only. */
  readonly url: string;
  /** The control-plane token; read (or created) on first use. */
  token(): Promise<string>;
}

/**
 * Where rollouts happen: a serving platform that stages a version without traffic, smoke-checks it, splits the
 * traffic between the stable version and a candidate (or mirrors it as shadow), measures each version over windows
 * a rollout step opens and closes, and promotes or aborts the candidate. The local model server is one adapter
 * (its client); the webhook target (`docs/deploy-target-webhook.md`) is the other, for external platforms. Every
 * call is idempotent: a retry with the same arguments answers the same. One conformance suite runs on both.
 */
export interface DeployTarget {
  /** Where the target is, for messages and the registry's deployment records. */
  readonly baseUrl: string;
  /** Loads a version and stages it under `deploymentId` (serving no traffic). */
  stage(model: string, deploymentId: string, body: StageRequest): Promise<StageAnswer>;
  /** Scores rows with the deployment `deploymentId` (staged, candidate or stable); never counted as traffic. */
  smoke(model: string, deploymentId: string, instances: FeatureRow[]): Promise<PredictAnswer>;
  /** Gives the candidate (the staged deployment, or the current candidate) its share of the traffic. */
  setTraffic(model: string, body: SetTrafficRequest): Promise<TrafficAnswer>;
  /** Opens a measurement window (a repeat is a no-op). */
  openWindow(model: string, windowId: string): Promise<WindowAnswer>;
  /** Reads a window; a window the target does not hold (it restarted) fails with code `UnknownWindow`. */
  readWindow(model: string, windowId: string): Promise<WindowAnswer>;
  /** Closes (freezes) a window and answers its final readings; a repeat answers the same. */
  closeWindow(model: string, windowId: string): Promise<WindowAnswer>;
  /** Makes the candidate `deploymentId` stable with all the traffic; a repeat answers the same. */
  promote(model: string, deploymentId: string): Promise<PromoteCandidateAnswer>;
  /** All traffic back to stable; the candidate (or staged deployment) `deploymentId` rolled back. */
  abort(model: string, deploymentId: string, reason: string): Promise<AbortCandidateAnswer>;
  /** What the target serves for the model: stable, candidate, weights, mode, and what a rollback restores. */
  status(model: string): Promise<ModelStatusAnswer>;
  /**
   * Restores the deployment that served before the stable deployment `deploymentId` (the one `status().previous`
   * names), which is rolled back; a repeat answers the same. Refused while a candidate holds traffic.
   */
  rollback(model: string, deploymentId: string): Promise<RollbackAnswer>;
}

/** What a deploy target is built with: the control-plane token, the step's cancellation, a per-request timeout. */
export interface DeployTargetOptions {
  token?: string;
  signal?: AbortSignal;
  timeoutMs?: number;
}

/** Builds the deploy target at a URL (see {@link ActivityDeps.deployTarget}). */
export type DeployTargetFactory = (serverUrl: string, options: DeployTargetOptions) => DeployTarget;

/** The directory of people and their groups that approver groups are resolved from when a gate opens. */
export interface DirectorySource {
  /** Where the directory is (a file path), for messages. */
  readonly location: string;
  /** Reads and validates the directory; fails with `SlipwayInvalidDirectory` naming the location. */
  read(): Promise<LoadedDirectory>;
}

/**
 * Tells people and systems outside Slipway what happened to a model (drift, a retrain, a gate, a rollout). Adapters:
 * the webhook notifier (`createWebhookNotifier`, JSON or Slack-compatible, signed, retried, dead-lettered) and a
 * fan-out over several (`createFanOutNotifier`).
 */
export interface Notifier {
  /**
   * Delivers `event` (validated against `NotificationEvent`). Resolves with how each delivery ended, and never
   * rejects because a receiver is down or refuses: an undeliverable event is dead-lettered and the outcome says so,
   * so the caller (a guardian, a gate) goes on. Sending the same event again re-sends the same delivery id.
   */
  notify(event: NotificationEventInput): Promise<NotifyOutcome>;
}

/** Re-exported for adapters. */
export type { RowSchema };
