import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { DEFAULT_TASK_QUEUE, DurationString, PublicKey, StepQueues, TaskQueueName, describeIssues } from '@slipway/sdk';
import {
  defaultAuditKeyPath,
  parseArtifactLocation,
  parseDatasetRoot,
  parseRegistryLocation,
  s3SettingsFromEnv,
  type MlflowCredentials,
  type RegistryLocation,
  type S3Settings,
} from '@slipway/activities/settings';
import { z } from 'zod';
import { TrainersSetting, resolveTrainers, type ProcessTrainerSpec } from './trainers-setting.js';
import { DeployTargetsSetting, resolveDeployTargets, type DeployTargetSpec } from './deploy-targets.js';
import { NotifiersSetting, resolveNotifiers, type NotifierSpec } from './notifiers.js';
import { UiSettingInput, resolveUiSetting, type UiSetting } from './ui-setting.js';
import { TokenSetting } from './token-setting.js';
import {
  TemporalSettingInput,
  mergeTemporalSetting,
  resolveTemporalSetting,
  temporalEnvLayer,
  type TemporalSetting,
} from './temporal-setting.js';
import {
  MetricsSettingInput,
  TracingSettingInput,
  resolveMetricsSetting,
  resolveTracingSetting,
  telemetryEnvLayer,
  type MetricsSetting,
  type TracingSetting,
} from './telemetry-setting.js';

/** The name of the optional configuration file, looked up in the working directory. */
export const CONFIG_FILE_NAME = 'slipway.config.json';

/** What a config file and the environment may set; every field is optional. */
export const SlipwayConfigInput = z
  .object({
    /** Where Slipway keeps its state (registry, artifacts, dev server database, serving logs). */
    home: z.string().min(1),
    /**
     * The Temporal cluster: `address`, `namespace`, `tls` (`{ cert, key, ca, serverName }` files, or `true`),
     * `apiKey` or `apiKeyFile`, and the Worker Deployment workers poll as (`deployment`). See `TemporalSettingInput`.
     */
    temporal: TemporalSettingInput,
    taskQueue: TaskQueueName,
    /**
     * How long a worker asked to stop (SIGTERM, Ctrl-C) lets in-flight activities finish before cancelling them
     * (default 30s; `slipway worker --shutdown-grace`, `SLIPWAY_SHUTDOWN_GRACE`). Give the host a longer stop
     * timeout (e.g. Kubernetes' `terminationGracePeriodSeconds`) than this.
     */
    shutdownGrace: DurationString,
    /**
     * A default task queue per pipeline step for the runs and schedules the CLI starts, e.g. `{ "train":
     * "slipway-gpu" }` for workers started with `slipway worker --steps train --task-queue slipway-gpu`; a run's own
     * `stepOptions.<step>.taskQueue` wins. An unknown step name is refused.
     */
    stepQueues: StepQueues,
    /**
     * The model registry: `sqlite:<path>` (relative to the working directory) or an MLflow tracking server,
     * `mlflow+http://host:port` (or `mlflow+https://…`).
     */
    registry: z.string().min(1).superRefine(checkRegistryUrl),
    /**
     * How to sign in to an MLflow registry that asks for it: a bearer `token`, or `username` and `password`
     * (MLflow's basic-auth app). Prefer the environment (`MLFLOW_TRACKING_TOKEN`, `MLFLOW_TRACKING_USERNAME`,
     * `MLFLOW_TRACKING_PASSWORD`) over a config file.
     */
    mlflow: z
      .object({ token: z.string().min(1), username: z.string().min(1), password: z.string().min(1) })
      .partial()
      .strict()
      .refine((m) => (m.username === undefined) === (m.password === undefined), {
        message: 'username and password go together: set both, or neither',
      }),
    /** Where artifacts live: a directory (relative to the working directory) or `s3://bucket/prefix`. */
    artifacts: z.string().min(1).superRefine(checkArtifactLocation),
    modelServer: z
      .object({
        url: z.url(),
        port: z.number().int().min(0).max(65535),
        /**
         * The control-plane token (deploy, commit, rollback, served rows). Prefer the environment
         * (`SLIPWAY_MODEL_SERVER_TOKEN`) or the default: a token generated into `<home>/model-server.token` (0600).
         */
        token: TokenSetting,
        /**
         * The size in bytes past which a served-row log file is closed and a new one started (default 32 MiB; a
         * new file starts every UTC day too).
         */
        servedLogMaxBytes: z.number().int().min(1024),
      })
      .partial()
      .strict(),
    /**
     * How to reach S3 or an S3-compatible store for `s3://` datasets. Prefer the environment for keys
     * (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`) over writing them into a config file.
     */
    s3: z
      .object({
        endpoint: z.url(),
        region: z.string().min(1),
        accessKeyId: z.string().min(1),
        secretAccessKey: z.string().min(1),
        sessionToken: z.string().min(1),
        forcePathStyle: z.boolean(),
      })
      .partial()
      .strict(),
    /**
     * Datasets. `roots`: where workers may read datasets from — directories (relative ones resolve against the
     * working directory) and `s3://bucket/prefix` locations (`s3://bucket` for a whole bucket). Default: the
     * working directory the worker started in. The artifact store (its directory or S3 location) is always a root:
     * snapshots (`slipway data snapshot`) are read from there. A dataset outside every root is refused before a
     * byte is read, after resolving `..` and symbolic links; Slipway's state directory (`home`, except the artifact
     * store inside it), the configuration file and files holding keys or tokens are refused whatever the roots
     * say. The environment variable `SLIPWAY_DATA_ROOTS` sets the list, entries separated by commas (not the path
     * delimiter: `s3://` has a colon), e.g. `SLIPWAY_DATA_ROOTS=/srv/data,s3://ml/datasets`.
     */
    data: z
      .object({ roots: z.array(z.string().min(1).superRefine(checkDatasetRoot)) })
      .partial()
      .strict(),
    /**
     * The directory of people and their groups (a JSON or YAML file, relative to the working directory) that
     * approver groups are resolved from when a gate opens. Without it, a policy that names groups fails at start.
     */
    directory: z.string().min(1),
    /**
     * The administrator's public key (`ed25519:…`, from `slipway keys create`) that must have signed the directory
     * of people (`slipway directory sign`): a directory that is unsigned, signed by another key or changed after
     * signing is refused by the worker, the resolveApprovers activity and the CLI, and so is any directory when
     * this is not set.
     */
    directoryAdminKey: PublicKey,
    /** Who you are (as the directory names you): `slipway run` records it as the run's `startedBy`. */
    identity: z.string().trim().min(1),
    /**
     * The audit trail: `keyFile` is the secret Ed25519 key that signs every audit line (default
     * `<home>/audit-key.pem`, created with mode 0600 on first use; a file group or others may read is refused).
     */
    audit: z
      .object({ keyFile: z.string().min(1) })
      .partial()
      .strict(),
    /**
     * Trainer processes by name (`{ "churn-sklearn": { "command": ["python3", "train.py"], "cwd": "trainers/churn",
     * "graceSeconds": 30, "env": {} } }`): a run input names a trainer, the command comes only from here.
     */
    trainers: TrainersSetting,
    /**
     * Serving platforms a rollout may target besides the model server, each implementing the webhook contract
     * (`docs/deploy-target-webhook.md`): `[{ "url": "https://serving.example.com/slipway", "kind": "webhook",
     * "tokenFile": "/etc/slipway/serving.token" }]`. The token file must be owner-only and outside every dataset
     * root; the token is sent to that URL's origin only.
     */
    deployTargets: DeployTargetsSetting,
    /**
     * Receivers told about drift, retrains, gates and rollouts: `[{ "kind": "webhook", "url":
     * "https://ops.example.com/slipway", "secretFile": "/etc/slipway/notify.secret", "format": "json" | "slack",
     * "events": ["drift_detected", …] }]`. Each request is signed (HMAC-SHA256) with the secret in `secretFile`
     * (owner-only, not empty, outside every dataset root); `events` defaults to every kind.
     */
    notifiers: NotifiersSetting,
    /** The approvals page (`slipway ui`): its port, the service key it signs with, the trusted proxies. */
    ui: UiSettingInput,
    /**
     * The worker's `/metrics` (Prometheus) and `/healthz` endpoint: `port` (0 picks a free one; unset: no endpoint)
     * and `host` (default `127.0.0.1`; another address only when set here or with `--metrics-host`), and `token`:
     * the bearer token `/metrics` asks for, needed on any address but loopback (prefer `SLIPWAY_METRICS_TOKEN`).
     * `SLIPWAY_METRICS_PORT` and `SLIPWAY_METRICS_HOST` set the others too.
     */
    metrics: MetricsSettingInput,
    /**
     * OpenTelemetry tracing (client → workflow → activities): `endpoint` is the OTLP/HTTP traces URL (e.g.
     * `http://collector:4318/v1/traces`), `serviceName` the `service.name` of the spans. Off when no endpoint is
     * set. The standard variables set them too: `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` (the traces URL as it is),
     * `OTEL_EXPORTER_OTLP_ENDPOINT` (a base URL, `/v1/traces` appended) and `OTEL_SERVICE_NAME`.
     */
    tracing: TracingSettingInput,
  })
  .partial()
  .strict();
/** What a config file and the environment may set. */
export type SlipwayConfigInput = z.infer<typeof SlipwayConfigInput>;

/** A fully resolved configuration: absolute paths, every default applied. */
export interface SlipwayConfig {
  home: string;
  /** The Temporal cluster and how to authenticate to it (files read when a connection opens). */
  temporal: TemporalSetting;
  taskQueue: string;
  /** How long a stopping worker lets in-flight activities finish (a duration string, e.g. `30s`). */
  shutdownGrace: string;
  /** Default task queues per pipeline step, for the runs the CLI starts (see `StepQueues`). */
  stepQueues?: StepQueues;
  /** The model registry: a SQLite file (absolute path) or an MLflow tracking server. */
  registry: RegistryLocation;
  /** Credentials for an MLflow registry, when it asks for them. */
  mlflow: { credentials?: MlflowCredentials };
  /** Where artifacts live: an absolute directory, or `s3://bucket/prefix` (reached with the `s3` settings). */
  artifacts: string;
  /**
   * The model server: its URL (the deploy and monitor activities send the control-plane token to this origin only),
   * its port, and a configured token (else the token file in `home` is used; see `resolveModelServerToken`).
   */
  modelServer: { url: string; port: number; token?: string; servedLogMaxBytes?: number };
  /** S3 settings for `s3://` datasets; empty means the AWS SDK's defaults. */
  s3: S3Settings;
  /**
   * Datasets: the roots workers read them from (absolute directories and normalized `s3://bucket/prefix`), the
   * artifact store always among them.
   */
  data: { roots: string[] };
  /** The configuration file that was read (`<cwd>/slipway.config.json`), if there was one: it may hold keys. */
  configFile?: string;
  /** The directory of people (absolute path to a JSON or YAML file), when one is configured. */
  directory?: string;
  /** The public key the directory of people must be signed with, when configured. */
  directoryAdminKey?: string;
  /** Who runs the commands, when configured; otherwise the client uses the operating-system user. */
  identity?: string;
  /** The audit trail's signing key file (absolute). */
  audit: { keyFile: string };
  /** Trainer processes by name, resolved (see `configuredProcessTrainers`). */
  trainers: Record<string, ProcessTrainerSpec>;
  /** The webhook deploy targets (URLs without a trailing slash, absolute token files); none by default. */
  deployTargets: DeployTargetSpec[];
  /** The notification receivers (absolute secret files); none by default. See `configuredNotifiers`. */
  notifiers: NotifierSpec[];
  /** The approvals page (`slipway ui`). See `UiSettingInput`. */
  ui: UiSetting;
  /** The worker's metrics endpoint, when one is configured. See `MetricsSettingInput`. */
  metrics?: MetricsSetting;
  /** Where traces go, when tracing is on. See `TracingSettingInput`. */
  tracing?: TracingSetting;
}

/**
 * The secret key file that signs the audit trail (absolute): a file no dataset read may touch, and that only
 * the worker's user may read.
 */
export function auditKeyFilePath(config: Pick<SlipwayConfig, 'audit'>): string {
  return config.audit.keyFile;
}

/** How long a stopping worker lets in-flight activities finish unless configured (`shutdownGrace`). */
export const DEFAULT_SHUTDOWN_GRACE = '30s';

/** The model server's default port. */
export const DEFAULT_MODEL_SERVER_PORT = 8765;

/**
 * Resolves configuration from, in increasing priority: defaults, `slipway.config.json` in `cwd`, the
 * environment (`SLIPWAY_HOME`, `TEMPORAL_ADDRESS`, `TEMPORAL_NAMESPACE`, `TEMPORAL_API_KEY`, the Temporal CLI's TLS
 * variables and `SLIPWAY_TEMPORAL_API_KEY_FILE` (see `temporalEnvironment`), `SLIPWAY_DEPLOYMENT_NAME`, `SLIPWAY_BUILD_ID`,
 * `SLIPWAY_TASK_QUEUE`, `SLIPWAY_SHUTDOWN_GRACE`, `SLIPWAY_REGISTRY`, `SLIPWAY_ARTIFACTS`, `SLIPWAY_MODEL_SERVER`, `SLIPWAY_MODEL_SERVER_TOKEN`,
 * `SLIPWAY_AUDIT_KEY_FILE`, for MLflow
 * `MLFLOW_TRACKING_TOKEN` or `MLFLOW_TRACKING_USERNAME` and `MLFLOW_TRACKING_PASSWORD`, and for S3
 * `SLIPWAY_S3_ENDPOINT` or `AWS_ENDPOINT_URL`, `AWS_REGION`, `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
 * `AWS_SESSION_TOKEN`, `SLIPWAY_S3_FORCE_PATH_STYLE`, for datasets `SLIPWAY_DATA_ROOTS`, comma-separated),
 * `SLIPWAY_DIRECTORY`, `SLIPWAY_DIRECTORY_ADMIN_KEY`, `SLIPWAY_IDENTITY`, the telemetry variables (see
 * `telemetryEnvLayer`), and `overrides`.
 * A bad value fails with the file (or variable) and the field that is wrong.
 */
export function loadConfig(
  options: { cwd?: string; env?: NodeJS.ProcessEnv; overrides?: SlipwayConfigInput } = {},
): SlipwayConfig {
  const cwd = options.cwd ?? process.cwd();
  const fromFile = readConfigFile(cwd);
  const fromEnv = parseLayer(envLayer(options.env ?? process.env), ENVIRONMENT);
  const layers = [fromFile, fromEnv, parseLayer(options.overrides ?? {}, 'the given options')];
  const merged = layers.reduce<SlipwayConfigInput>((acc, layer) => mergeLayer(acc, layer), {});
  const file = join(cwd, CONFIG_FILE_NAME);
  const notifiersSource = options.overrides?.notifiers ? 'the given options' : file;
  return {
    ...resolveConfig(merged, cwd, { notifiers: notifiersSource }),
    ...(existsSync(file) ? { configFile: file } : {}),
  };
}

function readConfigFile(cwd: string): SlipwayConfigInput {
  const path = join(cwd, CONFIG_FILE_NAME);
  if (!existsSync(path)) return {};
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`${path}: not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  return parseLayer(raw, path);
}

function parseLayer(raw: unknown, source: string): SlipwayConfigInput {
  const result = SlipwayConfigInput.safeParse(raw);
  if (result.success) return result.data;
  const variables = source === ENVIRONMENT ? envVariablesOf(result.error.issues) : '';
  throw new Error(`invalid Slipway configuration in ${source}: ${describeIssues(result.error)}${variables}`);
}

const ENVIRONMENT = 'the environment';

/** The variable that sets a setting, where one variable does, to name it in errors. */
const ENV_VARIABLES: Record<string, string> = {
  home: 'SLIPWAY_HOME',
  taskQueue: 'SLIPWAY_TASK_QUEUE',
  shutdownGrace: 'SLIPWAY_SHUTDOWN_GRACE',
  registry: 'SLIPWAY_REGISTRY',
  artifacts: 'SLIPWAY_ARTIFACTS',
  directory: 'SLIPWAY_DIRECTORY',
  directoryAdminKey: 'SLIPWAY_DIRECTORY_ADMIN_KEY',
  identity: 'SLIPWAY_IDENTITY',
  metrics: 'SLIPWAY_METRICS_PORT, SLIPWAY_METRICS_HOST, SLIPWAY_METRICS_TOKEN',
  tracing: 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_SERVICE_NAME',
};

function envVariablesOf(issues: readonly { path: readonly PropertyKey[] }[]): string {
  const names = [...new Set(issues.flatMap((issue) => ENV_VARIABLES[String(issue.path[0])] ?? []))];
  return names.length > 0 ? ` (set by ${names.join(', ')})` : '';
}

function envLayer(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const modelServer = pick({ url: env.SLIPWAY_MODEL_SERVER, token: env.SLIPWAY_MODEL_SERVER_TOKEN });
  const mlflow = pick({
    token: env.MLFLOW_TRACKING_TOKEN,
    username: env.MLFLOW_TRACKING_USERNAME,
    password: env.MLFLOW_TRACKING_PASSWORD,
  });
  const s3 = s3SettingsFromEnv(env);
  const rootList = env.SLIPWAY_DATA_ROOTS?.trim();
  const roots = rootList
    ? rootList
        .split(',')
        .map((entry) => entry.trim())
        .filter((entry) => entry !== '')
    : undefined;
  const audit = pick({ keyFile: env.SLIPWAY_AUDIT_KEY_FILE });
  return pick({
    home: env.SLIPWAY_HOME,
    taskQueue: env.SLIPWAY_TASK_QUEUE,
    shutdownGrace: env.SLIPWAY_SHUTDOWN_GRACE,
    registry: env.SLIPWAY_REGISTRY,
    artifacts: env.SLIPWAY_ARTIFACTS,
    directory: env.SLIPWAY_DIRECTORY,
    directoryAdminKey: env.SLIPWAY_DIRECTORY_ADMIN_KEY?.trim(),
    identity: env.SLIPWAY_IDENTITY,
    temporal: temporalEnvLayer(env),
    modelServer: Object.keys(modelServer).length ? modelServer : undefined,
    mlflow: Object.keys(mlflow).length ? mlflow : undefined,
    s3: Object.keys(s3).length ? s3 : undefined,
    data: roots === undefined ? undefined : { roots },
    audit: Object.keys(audit).length ? audit : undefined,
    ...telemetryEnvLayer(env),
  });
}

function pick(values: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined && v !== ''));
}

function mergeLayer(base: SlipwayConfigInput, layer: SlipwayConfigInput): SlipwayConfigInput {
  return {
    ...base,
    ...layer,
    temporal: mergeTemporalSetting(base.temporal, layer.temporal),
    modelServer: { ...base.modelServer, ...layer.modelServer },
    mlflow: { ...base.mlflow, ...layer.mlflow },
    s3: { ...base.s3, ...layer.s3 },
    data: { ...base.data, ...layer.data },
    audit: { ...base.audit, ...layer.audit },
    trainers: { ...base.trainers, ...layer.trainers },
    ui: { ...base.ui, ...layer.ui },
    metrics: { ...base.metrics, ...layer.metrics },
    tracing: { ...base.tracing, ...layer.tracing },
  };
}

/** Adds a zod issue with the reason when an artifact location is malformed. */
function checkArtifactLocation(location: string, ctx: z.RefinementCtx): void {
  issueUnlessParses(() => parseArtifactLocation(location), ctx);
}

/** Adds a zod issue with the reason when a dataset root is malformed. */
function checkDatasetRoot(root: string, ctx: z.RefinementCtx): void {
  issueUnlessParses(() => parseDatasetRoot(root), ctx);
}

/** Adds a zod issue with the reason when a registry URL is malformed. */
function checkRegistryUrl(url: string, ctx: z.RefinementCtx): void {
  issueUnlessParses(() => parseRegistryLocation(url), ctx);
}

function issueUnlessParses(parse: () => unknown, ctx: z.RefinementCtx): void {
  try {
    parse();
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: err instanceof Error ? err.message : String(err) });
  }
}

function mlflowCredentials(input: SlipwayConfigInput['mlflow']): SlipwayConfig['mlflow'] {
  if (input?.token) return { credentials: { token: input.token } };
  if (input?.username && input.password) {
    return { credentials: { username: input.username, password: input.password } };
  }
  return {};
}

function resolveArtifacts(artifacts: string | undefined, home: string, cwd: string): Pick<SlipwayConfig, 'artifacts'> {
  const location = parseArtifactLocation(artifacts ?? join(home, 'artifacts'), cwd);
  return { artifacts: location.kind === 's3' ? location.uri : location.root };
}

/**
 * The dataset roots: as configured (directories made absolute, S3 locations normalized), else the working
 * directory; and the artifact store, always (snapshots are read from there).
 */
function resolveDataRoots(roots: readonly string[] | undefined, cwd: string, artifacts: string): string[] {
  const entries = [...(roots ?? [cwd]), artifacts];
  const resolved = entries.map((entry) => {
    const root = parseDatasetRoot(entry, cwd);
    return root.kind === 's3' ? root.uri : root.path;
  });
  return [...new Set(resolved)];
}

function resolveConfig(input: SlipwayConfigInput, cwd: string, sources: { notifiers?: string } = {}): SlipwayConfig {
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(cwd, p));
  const home = abs(input.home ?? '.slipway');
  const port = input.modelServer?.port ?? DEFAULT_MODEL_SERVER_PORT;
  const { artifacts } = resolveArtifacts(input.artifacts, home, cwd);
  const roots = resolveDataRoots(input.data?.roots, cwd, artifacts);
  const modelServerUrl = input.modelServer?.url ?? `http://127.0.0.1:${port}`;
  return {
    home,
    temporal: resolveTemporalSetting(input.temporal, { cwd, home, roots }),
    taskQueue: input.taskQueue ?? DEFAULT_TASK_QUEUE,
    shutdownGrace: input.shutdownGrace ?? DEFAULT_SHUTDOWN_GRACE,
    ...(input.stepQueues ? { stepQueues: input.stepQueues } : {}),
    registry: input.registry
      ? parseRegistryLocation(input.registry, cwd)
      : { kind: 'sqlite', path: join(home, 'registry.db') },
    mlflow: mlflowCredentials(input.mlflow),
    artifacts,
    modelServer: {
      url: modelServerUrl,
      port,
      ...(input.modelServer?.token ? { token: input.modelServer.token } : {}),
      ...(input.modelServer?.servedLogMaxBytes ? { servedLogMaxBytes: input.modelServer.servedLogMaxBytes } : {}),
    },
    s3: { ...input.s3 },
    data: { roots },
    ...(input.directory ? { directory: abs(input.directory) } : {}),
    ...(input.directoryAdminKey ? { directoryAdminKey: input.directoryAdminKey } : {}),
    ...(input.identity ? { identity: input.identity } : {}),
    audit: { keyFile: abs(input.audit?.keyFile ?? defaultAuditKeyPath(home)) },
    trainers: resolveTrainers(input.trainers, cwd),
    deployTargets: resolveDeployTargets(input.deployTargets, { cwd, home, roots, modelServerUrl }),
    notifiers: resolveNotifiers(input.notifiers, { cwd, home, roots, source: sources.notifiers ?? CONFIG_FILE_NAME }),
    ui: resolveUiSetting(input.ui, cwd),
    ...resolveMetricsSetting(input.metrics),
    ...resolveTracingSetting(input.tracing),
  };
}
