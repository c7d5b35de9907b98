import { finalFailure, retryableFailure } from '@slipway/sdk';
import type { ModelRegistry, ExperimentTracker } from '../ports.js';
import {
  MlflowFailureType,
  createMlflowClient,
  mlflowFailureDetail,
  type MlflowClient,
  type MlflowCredentials,
} from './mlflow-client.js';
import { auditHead, auditKeys, registerAuditKey } from './mlflow-audit.js';
import type { MlflowContext } from './mlflow-context.js';
import { recordApproval, recordDeployment, setAlias } from './mlflow-mutations.js';
import { finishRun, logMetricSeries, logMetrics, logParams } from './mlflow-run-logging.js';
import { fetchRun, findRuns, metricHistory, startRun, toRunRecord } from './mlflow-runs.js';
import type { MlflowModelsOptions } from './mlflow-onnx-source.js';
import { DEFAULT_TAG_VALUE_LIMIT } from './mlflow-tags.js';
import { getAlias, getVersion, listModels, listVersions, registerVersion, resolveVersion } from './mlflow-versions.js';
import {
  parseFinishRunInput,
  parseLogMetricSeriesInput,
  parseLogMetricsInput,
  parseLogParamsInput,
  parseRunId,
  parseRunQuery,
  parseStartRunInput,
} from './tracking-input.js';
import { parseVersionSpec } from './version-spec.js';

/** Options of {@link createMlflowRegistry}. */
export interface MlflowRegistryOptions {
  /** The tracking server, e.g. `http://127.0.0.1:5000` (the `mlflow+` prefix of a registry URL removed). */
  trackingUrl: string;
  /** Per-request timeout in milliseconds (default 30 000). */
  timeoutMs?: number;
  /** The longest value written into one tag; longer JSON is split into parts. Default 5000 (MLflow 2.x's limit). */
  tagValueLimit?: number;
  /** The clock used for `recordedAt` and run times. Default: the system clock. */
  now?: () => Date;
  /** The `fetch` to use (default: the global one); tests inject failures through it. */
  fetch?: typeof fetch;
  /** How to sign in, when the server asks for it. */
  credentials?: MlflowCredentials;
  /**
   * Where ONNX versions become MLflow Models loadable by `mlflow.pyfunc` (their `source` is the directory); without
   * it every version's `source` is its artifact URI.
   */
  models?: MlflowModelsOptions;
}

/** An MLflow-backed registry, with a start-up check. */
export interface MlflowRegistry extends ModelRegistry {
  /** The tracking server's URL. */
  readonly trackingUrl: string;
  /** Fails with a clear message when the server does not answer, or is not an MLflow tracking server. */
  check(): Promise<void>;
}

/**
 * A `ModelRegistry` on the MLflow Model Registry and Tracking REST API, so that a team sees Slipway's models in
 * the MLflow UI it already uses:
 *
 * | Slipway | MLflow |
 * |---|---|
 * | model `churn` | registered model `churn` |
 * | version 3 | model version 3 (MLflow numbers it); `source` is the artifact URI (S3) or `slipway-artifact:/sha256/…` |
 * | ONNX version (with `models`) | `source` is an MLflow Model directory (`onnx` flavor, signature) next to the artifacts |
 * | artifact, metrics, lineage, register key | model-version tags `slipway.*` (JSON; split into parts when long) |
 * | alias `champion` | MLflow alias `champion` |
 * | approvals, deployments, keyed alias moves | model-version tags `slipway.approval.<hash>`, … |
 * | audit heads | inside each mutation's record (`slipway.audit_head`, the `audit` field of a record tag) |
 * | audit logs' public keys | tags of the experiment `slipway-audit-keys` (see `mlflow-audit.ts`) |
 * | tracking run, params, metrics, series | MLflow experiment and run, params, metrics (with steps) |
 * | the run that trained a version | the model version's `run_id` |
 *
 * Idempotency: every write carries its key into MLflow (a tag), is looked up before it is made, and is looked up
 * again when the answer to the write was lost. An unreachable server or a 5xx answer fails with a retryable
 * failure naming the URL; a 4xx answer with a final one.
 *
 * ```ts
 * const registry = createMlflowRegistry({ trackingUrl: 'http://127.0.0.1:5000' });
 * await registry.check();
 * const { version } = await registry.registerVersion({ name: 'churn', artifact, metrics, lineage, idempotencyKey });
 * ```
 */
export function createMlflowRegistry(options: MlflowRegistryOptions): MlflowRegistry {
  const client = createMlflowClient(options.trackingUrl, {
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
    ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
  });
  const ctx: MlflowContext = {
    client,
    tagValueLimit: options.tagValueLimit ?? DEFAULT_TAG_VALUE_LIMIT,
    now: options.now ?? (() => new Date()),
    experimentIds: new Map(),
    experimentNames: new Map(),
    models: options.models,
  };
  return {
    trackingUrl: client.baseUrl,
    check: () => checkMlflowServer(client),
    registerVersion: (input, registerOptions) => registerVersion(ctx, input, registerOptions),
    getVersion: (name, version) => getVersion(ctx, name, version),
    resolve: async (name, versionOrAlias) => resolveVersion(ctx, name, parseVersionSpec(versionOrAlias)),
    listModels: () => listModels(ctx),
    listVersions: (name) => listVersions(ctx, name),
    getAlias: (name, alias) => getAlias(ctx, name, alias),
    setAlias: (name, alias, version, setOptions) => setAlias(ctx, { name, alias, version }, setOptions),
    recordApproval: (input, recordOptions) => recordApproval(ctx, input, recordOptions),
    recordDeployment: (input, recordOptions) => recordDeployment(ctx, input, recordOptions),
    registerAuditKey: (key) => registerAuditKey(ctx, key),
    auditKeys: (logId) => auditKeys(ctx, logId),
    auditHead: (logId) => auditHead(ctx, logId),
    ...mlflowTracker(ctx),
    close: () => {
      options.models?.store.close();
      return Promise.resolve();
    },
  };
}

function mlflowTracker(ctx: MlflowContext): ExperimentTracker {
  return {
    startRun: async (input) => startRun(ctx, parseStartRunInput(input)),
    logParams: async (runId, params) => {
      const valid = parseLogParamsInput(runId, params);
      await logParams(ctx, valid.runId, valid.params);
    },
    logMetrics: async (input) => logMetrics(ctx, parseLogMetricsInput(input)),
    logMetricSeries: async (input) => logMetricSeries(ctx, parseLogMetricSeriesInput(input)),
    finishRun: async (input) => finishRun(ctx, parseFinishRunInput(input)),
    getRun: async (runId) => {
      const run = await fetchRun(ctx, parseRunId(runId));
      return run === undefined ? undefined : toRunRecord(ctx, run);
    },
    getMetricSeries: async (runId, key) => metricHistory(ctx, parseRunId(runId), key),
    findRuns: async (query) => findRuns(ctx, parseRunQuery(query)),
  };
}

/**
 * Asks the server for one registered model: an unreachable server fails with a retryable failure naming the
 * URL; an answer that is not MLflow's (a wrong URL) with a final one.
 */
export async function checkMlflowServer(client: MlflowClient): Promise<void> {
  try {
    await client.get('registered-models/search', { max_results: 1 });
  } catch (err) {
    const detail = mlflowFailureDetail(err);
    const reason = err instanceof Error ? err.message : String(err);
    const message = checkFailureMessage(client.baseUrl, detail?.status, reason);
    const cause = { cause: err instanceof Error ? err : undefined };
    throw detail?.status === null
      ? retryableFailure(MlflowFailureType.Unreachable, message, undefined, cause)
      : finalFailure(MlflowFailureType.Rejected, message, undefined, cause);
  }
}

function checkFailureMessage(url: string, status: number | null | undefined, reason: string): string {
  if (status === null)
    return `The MLflow registry at ${url} does not answer (${reason}); start it, or fix the registry URL`;
  if (status === 401 || status === 403) {
    return (
      `The MLflow registry at ${url} refused the credentials (${status}): set MLFLOW_TRACKING_TOKEN, or ` +
      `MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD, to an account that may use it (${reason})`
    );
  }
  return `${url} does not answer like an MLflow tracking server with a model registry: ${reason}`;
}
