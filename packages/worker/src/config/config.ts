import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { DEFAULT_TASK_QUEUE, describeIssues } from '@slipway/sdk';
import {
  defaultAuditKeyPath,
  parseArtifactLocation,
  parseRegistryLocation,
  s3SettingsFromEnv,
  type MlflowCredentials,
  type RegistryLocation,
  type S3Settings,
} from '@slipway/activities';
import { z } from 'zod';

/** The name of the optional configuration file, looked up in the working directory. */
export const CONFIG_FILE_NAME = 'slipway.config.json';

/** What a config file and the environment may set; every field is optional. */
export const SlipwayConfigInput = z
  .object({
    /** Where Slipway keeps its state (registry, artifacts, dev server database, serving logs). */
    home: z.string().min(1),
    temporal: z
      .object({
        address: z.string().regex(/^[^\s:]+:\d+$/, 'expected host:port, e.g. 127.0.0.1:7233'),
        namespace: z.string().min(1),
        apiKey: z.string().min(1),
      })
      .partial()
      .strict(),
    taskQueue: z.string().min(1),
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
      .object({ url: z.url(), port: z.number().int().min(0).max(65535) })
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
     * The audit trail: `keyFile` is the secret Ed25519 key that signs every audit line (default
     * `<home>/audit-key.pem`, created with mode 0600 on first use; a file group or others may read is refused).
     */
    audit: z
      .object({ keyFile: z.string().min(1) })
      .partial()
      .strict(),
  })
  .partial()
  .strict();
/** What a config file and the environment may set. */
export type SlipwayConfigInput = z.infer<typeof SlipwayConfigInput>;

/** A fully resolved configuration: absolute paths, every default applied. */
export interface SlipwayConfig {
  home: string;
  temporal: { address: string; namespace: string; apiKey?: string };
  taskQueue: string;
  /** The model registry: a SQLite file (absolute path) or an MLflow tracking server. */
  registry: RegistryLocation;
  /** Credentials for an MLflow registry, when it asks for them. */
  mlflow: { credentials?: MlflowCredentials };
  /** Where artifacts live: an absolute directory, or `s3://bucket/prefix` (reached with the `s3` settings). */
  artifacts: string;
  modelServer: { url: string; port: number };
  /** S3 settings for `s3://` datasets; empty means the AWS SDK's defaults. */
  s3: S3Settings;
  /** The audit trail's signing key file (absolute). */
  audit: { keyFile: string };
}

/**
 * The secret key file that signs the audit trail (absolute): a file no dataset read may touch, and that only
 * the worker's user may read.
 */
export function auditKeyFilePath(config: Pick<SlipwayConfig, 'audit'>): string {
  return config.audit.keyFile;
}

/** The model server's default port. */
export const DEFAULT_MODEL_SERVER_PORT = 8765;

/**
 * Resolves configuration from, in increasing priority: defaults, `slipway.config.json` in `cwd`, the
 * environment (`SLIPWAY_HOME`, `TEMPORAL_ADDRESS`, `TEMPORAL_NAMESPACE`, `TEMPORAL_API_KEY`,
 * `SLIPWAY_TASK_QUEUE`, `SLIPWAY_REGISTRY`, `SLIPWAY_ARTIFACTS`, `SLIPWAY_MODEL_SERVER`, `SLIPWAY_AUDIT_KEY_FILE`, for MLflow
 * `MLFLOW_TRACKING_TOKEN` or `MLFLOW_TRACKING_USERNAME` and `MLFLOW_TRACKING_PASSWORD`, and for S3
 * `SLIPWAY_S3_ENDPOINT` or `AWS_ENDPOINT_URL`, `AWS_REGION`, `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
 * `AWS_SESSION_TOKEN`, `SLIPWAY_S3_FORCE_PATH_STYLE`) and `overrides`.
 * A bad value fails with the file (or variable) and the field that is wrong.
 */
export function loadConfig(
  options: { cwd?: string; env?: NodeJS.ProcessEnv; overrides?: SlipwayConfigInput } = {},
): SlipwayConfig {
  const cwd = options.cwd ?? process.cwd();
  const fromFile = readConfigFile(cwd);
  const fromEnv = parseLayer(envLayer(options.env ?? process.env), 'the environment');
  const layers = [fromFile, fromEnv, parseLayer(options.overrides ?? {}, 'the given options')];
  const merged = layers.reduce<SlipwayConfigInput>((acc, layer) => mergeLayer(acc, layer), {});
  return resolveConfig(merged, cwd);
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
  if (!result.success) throw new Error(`invalid Slipway configuration in ${source}: ${describeIssues(result.error)}`);
  return result.data;
}

function envLayer(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const temporal = pick({
    address: env.TEMPORAL_ADDRESS,
    namespace: env.TEMPORAL_NAMESPACE,
    apiKey: env.TEMPORAL_API_KEY,
  });
  const modelServer = pick({ url: env.SLIPWAY_MODEL_SERVER });
  const mlflow = pick({
    token: env.MLFLOW_TRACKING_TOKEN,
    username: env.MLFLOW_TRACKING_USERNAME,
    password: env.MLFLOW_TRACKING_PASSWORD,
  });
  const s3 = s3SettingsFromEnv(env);
  const audit = pick({ keyFile: env.SLIPWAY_AUDIT_KEY_FILE });
  return pick({
    home: env.SLIPWAY_HOME,
    taskQueue: env.SLIPWAY_TASK_QUEUE,
    registry: env.SLIPWAY_REGISTRY,
    artifacts: env.SLIPWAY_ARTIFACTS,
    temporal: Object.keys(temporal).length ? temporal : undefined,
    modelServer: Object.keys(modelServer).length ? modelServer : undefined,
    mlflow: Object.keys(mlflow).length ? mlflow : undefined,
    s3: Object.keys(s3).length ? s3 : undefined,
    audit: Object.keys(audit).length ? audit : undefined,
  });
}

function pick(values: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined && v !== ''));
}

function mergeLayer(base: SlipwayConfigInput, layer: SlipwayConfigInput): SlipwayConfigInput {
  return {
    ...base,
    ...layer,
    temporal: { ...base.temporal, ...layer.temporal },
    modelServer: { ...base.modelServer, ...layer.modelServer },
    mlflow: { ...base.mlflow, ...layer.mlflow },
    s3: { ...base.s3, ...layer.s3 },
    audit: { ...base.audit, ...layer.audit },
  };
}

/** Adds a zod issue with the reason when an artifact location is malformed. */
function checkArtifactLocation(location: string, ctx: z.RefinementCtx): void {
  issueUnlessParses(() => parseArtifactLocation(location), ctx);
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

function resolveConfig(input: SlipwayConfigInput, cwd: string): SlipwayConfig {
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(cwd, p));
  const home = abs(input.home ?? '.slipway');
  const port = input.modelServer?.port ?? DEFAULT_MODEL_SERVER_PORT;
  return {
    home,
    temporal: {
      address: input.temporal?.address ?? '127.0.0.1:7233',
      namespace: input.temporal?.namespace ?? 'default',
      ...(input.temporal?.apiKey ? { apiKey: input.temporal.apiKey } : {}),
    },
    taskQueue: input.taskQueue ?? DEFAULT_TASK_QUEUE,
    registry: input.registry
      ? parseRegistryLocation(input.registry, cwd)
      : { kind: 'sqlite', path: join(home, 'registry.db') },
    mlflow: mlflowCredentials(input.mlflow),
    ...resolveArtifacts(input.artifacts, home, cwd),
    modelServer: { url: input.modelServer?.url ?? `http://127.0.0.1:${port}`, port },
    s3: { ...input.s3 },
    audit: { keyFile: abs(input.audit?.keyFile ?? defaultAuditKeyPath(home)) },
  };
}
