import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { DEFAULT_TASK_QUEUE, describeIssues } from '@slipway/sdk';
import { s3SettingsFromEnv, type S3Settings } from '@slipway/activities';
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
    /** The registry database (`sqlite:<path>`, relative to the working directory). */
    registry: z.string().regex(/^sqlite:.+/, 'expected sqlite:<path>'),
    /** The artifact store directory. */
    artifacts: z.string().min(1),
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
  registryPath: string;
  artifactsDir: string;
  modelServer: { url: string; port: number };
  /** S3 settings for `s3://` datasets; empty means the AWS SDK's defaults. */
  s3: S3Settings;
}

/** The model server's default port. */
export const DEFAULT_MODEL_SERVER_PORT = 8765;

/**
 * Resolves configuration from, in increasing priority: defaults, `slipway.config.json` in `cwd`, the
 * environment (`SLIPWAY_HOME`, `TEMPORAL_ADDRESS`, `TEMPORAL_NAMESPACE`, `TEMPORAL_API_KEY`,
 * `SLIPWAY_TASK_QUEUE`, `SLIPWAY_REGISTRY`, `SLIPWAY_ARTIFACTS`, `SLIPWAY_MODEL_SERVER`, and for S3
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
  const s3 = s3SettingsFromEnv(env);
  return pick({
    home: env.SLIPWAY_HOME,
    taskQueue: env.SLIPWAY_TASK_QUEUE,
    registry: env.SLIPWAY_REGISTRY,
    artifacts: env.SLIPWAY_ARTIFACTS,
    temporal: Object.keys(temporal).length ? temporal : undefined,
    modelServer: Object.keys(modelServer).length ? modelServer : undefined,
    s3: Object.keys(s3).length ? s3 : undefined,
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
    s3: { ...base.s3, ...layer.s3 },
  };
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
    registryPath: input.registry ? abs(input.registry.slice('sqlite:'.length)) : join(home, 'registry.db'),
    artifactsDir: input.artifacts ? abs(input.artifacts) : join(home, 'artifacts'),
    modelServer: { url: input.modelServer?.url ?? `http://127.0.0.1:${port}`, port },
    s3: { ...input.s3 },
  };
}
