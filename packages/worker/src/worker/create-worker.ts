import { fileURLToPath } from 'node:url';
import {
  builtinPredictors,
  createActivities,
  isActivitiesDefinition,
  withAudit,
  type ActivitiesDefinition,
  type ActivityDeps,
  type ActivityFunction,
  type ActivityMap,
} from '@slipway/activities';
import { describeTls, temporalConnectionOptions } from '@slipway/sdk/client';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import {
  checkBackends,
  checkDeployTargets,
  configuredDirectory,
  configuredNotifiers,
  deployTargetsAccess,
  modelServerAccess,
  openConfiguredArtifacts,
  openConfiguredAuditLog,
  openConfiguredRegistry,
  type SlipwayConfig,
  workerDatasetAccess,
  configuredProcessTrainers,
} from '../config/index.js';
import type { ActivitiesFactory } from './activities-module.js';
import { workerTelemetryOptions, type WorkerTelemetry } from './worker-telemetry.js';
import { ensureSearchAttributes } from './search-attributes.js';
import { resolveWorkerVersion, workerVersioningOptions } from './worker-versioning.js';
import { builtinStepActivityNames, selectActivities } from './step-selection.js';
import { moduleSharingInterceptors, sharedWorkflowModules } from './workflow-bundle.js';
import { capWorkflowThreadHeap, defaultWorkflowHeapMb } from './workflow-heap.js';

/** The module holding Slipway's ready-made pipeline workflows. */
export function builtinWorkflowsPath(): string {
  return fileURLToPath(import.meta.resolve('@slipway/sdk/pipelines'));
}

export type { ActivityFunction };

/**
 * How many runs a Slipway worker keeps in its workflow cache unless told otherwise (`workerOptions`, or
 * `slipway worker --max-cached-workflows`). Each cached run holds its own workflow state and its own copy of the
 * workflow code's modules (Slipway's contracts, schemas and zod are shared between runs, see
 * `moduleSharingInterceptors`; Ed25519 too, see `sharedWorkflowModules`). Temporal's
 * own default sizes the cache from the heap limit (about 2,300 runs on a 4 GB heap), so a worker holding 1,000
 * waiting gates would grow past 7 GB. Beyond this many, the least recently used run is evicted and replayed from its
 * history when it next has work (a decision, a timer, a query), which a waiting gate rarely has.
 */
export const DEFAULT_MAX_CACHED_WORKFLOWS = 64;

/** Options of `createSlipwayWorker`. */
export interface SlipwayWorkerOptions {
  config: SlipwayConfig;
  /**
   * The workflows module (every exported function is a workflow); default: Slipway's pipelines, unless `steps` is
   * given (then no workflows unless this or `workflowBundle` is given).
   */
  workflowsPath?: string;
  /** A prebuilt bundle (from `bundleWorkflowCode`), instead of bundling `workflowsPath` at start. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /**
   * Your own activities next to the built-in steps: an object of them (e.g. from `implementStep`), or a function
   * building them from the worker's adapters, bare or wrapped in `defineActivities` (called once, before the worker
   * polls). A name a built-in step already has is refused.
   */
  activities?: Record<string, ActivityFunction> | ActivitiesFactory | ActivitiesDefinition;
  /**
   * Serve only these built-in steps (short names such as `train`, or contract names such as `slipway.train`), e.g. on
   * a GPU host polling its own task queue; your own `activities` are served as well. An unknown name is refused.
   * A worker given `steps` serves no workflows unless `workflowsPath` or `workflowBundle` is given: a step host
   * does not replay pipelines. Default: every built-in step, and the workflows.
   */
  steps?: readonly string[];
  /** Replaces the embedded adapters (artifact store, registry, trainers, predictors). */
  deps?: Partial<ActivityDeps>;
  /** An existing connection (the caller keeps ownership); by default one is opened from `config`. */
  connection?: NativeConnection;
  identity?: string;
  /**
   * The workflow thread's heap limit in MB (see `capWorkflowThreadHeap`); default: `defaultWorkflowHeapMb` of the
   * cache size; `false` leaves V8's own limit. An explicit `--max-old-space-size` on the process always wins.
   */
  workflowHeapMb?: number | false;
  /**
   * Slipway's series (`createWorkerMetrics`, recorded by an activity interceptor) and OpenTelemetry tracing
   * (`startTracing`); both off by default. With tracing, a workflow bundle needs the workflow interceptors
   * (`slipway bundle --tracing`; added when the worker bundles at start).
   */
  telemetry?: WorkerTelemetry;
  /** Tunables passed to the Temporal worker as they are. */
  workerOptions?: Partial<
    Pick<
      WorkerOptions,
      | 'maxConcurrentActivityTaskExecutions'
      | 'maxConcurrentWorkflowTaskExecutions'
      | 'shutdownGraceTime'
      | 'maxCachedWorkflows'
    >
  >;
}

/** A running-ready Slipway worker and what it owns. */
export interface SlipwayWorker {
  readonly worker: Worker;
  readonly deps: ActivityDeps;
  /** Polls until `shutdown()` or a shutdown signal, then releases what the worker opened. */
  run(): Promise<void>;
  shutdown(): void;
}

/**
 * Wires configuration to adapters, adapters to activities, and activities and workflows to a Temporal worker
 * on `config.taskQueue`, connected as `config.temporal` says (TLS, API key) and, with `config.temporal.deployment`,
 * polling as that Worker Deployment version (see `resolveWorkerVersion`). A failure of one of Slipway's final types
 * leaves any activity it runs non-retryable, even when raised retryable (`finalErrorsActivityInterceptor`).
 *
 * ```ts
 * const { run } = await createSlipwayWorker({ config: loadConfig(), workflowsPath, activities: implementStep(score, scoreImpl) });
 * await run();
 * ```
 */
export async function createSlipwayWorker(options: SlipwayWorkerOptions): Promise<SlipwayWorker> {
  const { config } = options;
  // Worker Versioning: a deployment with no build id and no prebuilt bundle fails here, before anything is opened.
  const version = resolveWorkerVersion(config.temporal.deployment, options.workflowBundle);
  // A mistyped step name fails here, before anything is opened.
  const steps = options.steps === undefined ? undefined : builtinStepActivityNames(options.steps);
  const connection = options.connection ?? (await connectWorker(config));
  const ownsConnection = options.connection === undefined;
  await ensureSearchAttributes(connection, config.temporal.namespace);
  const deps = embeddedDeps(config, options.deps);
  let activities: ActivityMap;
  try {
    // A wrong URL or bucket, rejected credentials or an unreachable server fail the start, not a run.
    await checkBackends(config, deps);
    // A webhook deploy target whose token file is missing or that refuses its token fails the start, not a rollout.
    await checkDeployTargets(deps.deployTargets ?? []);
    // The notify step's receivers: a missing or empty secret file fails the start, not a notification.
    deps.notifier ??= await configuredNotifiers(config);
    const own = await ownActivities(options.activities, deps);
    activities = withOwnActivities(createActivities(deps), own);
    if (steps) activities = selectActivities(activities, [...steps, ...Object.keys(own)]);
  } catch (err) {
    await deps.registry.close();
    if (ownsConnection) await connection.close();
    throw err;
  }
  const maxCachedWorkflows = options.workerOptions?.maxCachedWorkflows ?? DEFAULT_MAX_CACHED_WORKFLOWS;
  if (options.workflowHeapMb !== false) {
    capWorkflowThreadHeap(options.workflowHeapMb ?? defaultWorkflowHeapMb(maxCachedWorkflows));
  }
  const source = workflowSource(options);
  const telemetry = workerTelemetryOptions(options.telemetry);
  const worker = await Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.taskQueue,
    ...source,
    activities,
    ...(options.identity ? { identity: options.identity } : {}),
    ...workerVersioningOptions(version),
    // On SIGINT/SIGTERM the worker stops polling and lets in-flight activities finish for this long.
    shutdownGraceTime: config.shutdownGrace,
    ...telemetry,
    interceptors: {
      ...telemetry.interceptors,
      // Bundled at start as `slipway bundle` bundles: with module sharing (a prebuilt bundle carries it already).
      workflowModules: [
        ...('workflowsPath' in source ? moduleSharingInterceptors() : []),
        ...(telemetry.interceptors?.workflowModules ?? []),
      ],
    },
    ...options.workerOptions,
    maxCachedWorkflows,
  });
  return {
    worker,
    deps,
    shutdown: () => worker.shutdown(),
    async run() {
      try {
        await worker.run();
      } finally {
        await deps.registry.close();
        if (ownsConnection) await connection.close();
      }
    },
  };
}

/** The workflows a worker serves: the given bundle or module, else the built-in pipelines unless only some steps. */
function workflowSource(
  options: SlipwayWorkerOptions,
): Pick<WorkerOptions, 'workflowBundle'> | Pick<WorkerOptions, 'workflowsPath' | 'bundlerOptions'> {
  if (options.workflowBundle) return { workflowBundle: options.workflowBundle };
  const workflowsPath = options.workflowsPath ?? (options.steps ? undefined : builtinWorkflowsPath());
  // Bundled at start as `slipway bundle` bundles: with the shared modules preloaded.
  return workflowsPath ? { workflowsPath, bundlerOptions: { preloadModules: sharedWorkflowModules() } } : {};
}

/** Your own activities, built from the adapters where they are a factory. */
async function ownActivities(own: SlipwayWorkerOptions['activities'], deps: ActivityDeps): Promise<ActivityMap> {
  if (own === undefined) return {};
  if (isActivitiesDefinition(own)) return own.create(deps);
  return typeof own === 'function' ? own(deps) : own;
}

/**
 * The built-in steps' activities with your own next to them; an activity named as a built-in step is refused (it
 * would silently replace the step every built-in pipeline calls).
 */
export function withOwnActivities(builtin: ActivityMap, own: ActivityMap): ActivityMap {
  const taken = Object.keys(own).filter((name) => Object.hasOwn(builtin, name));
  if (taken.length > 0) {
    throw new Error(
      `the activit${taken.length === 1 ? 'y' : 'ies'} ${taken.map((n) => `"${n}"`).join(', ')} would replace the built-in step${taken.length === 1 ? '' : 's'} of that name: give your step${taken.length === 1 ? '' : 's'} a name of your own (e.g. "acme.score")`,
    );
  }
  return { ...builtin, ...own };
}

/**
 * Opens the worker's connection to Temporal (TLS files and API key as configured, read now: a missing or unsafe
 * file fails naming it and its setting), with a clear error when nothing answers.
 */
export async function connectWorker(config: SlipwayConfig): Promise<NativeConnection> {
  const options = await temporalConnectionOptions(config.temporal);
  try {
    return await NativeConnection.connect(options);
  } catch (err) {
    throw new Error(
      `cannot reach Temporal at ${config.temporal.address}${describeTls(options)}: ${err instanceof Error ? err.message : String(err)}. Start a dev server with \`slipway dev\` or set TEMPORAL_ADDRESS.`,
    );
  }
}

/**
 * The adapters a configuration names (registry: SQLite or MLflow; artifacts: a directory or S3), with any
 * given replacements. The registry, given or configured, is always audited: every mutation is appended to
 * `<home>/audit.log` (mirrored to S3 when artifacts live there), and each new version's model card is stored in
 * the artifact store (see `withAudit`; a registry already audited into that log is used as it is). Steps read
 * datasets only below the configured dataset roots, never in the state directory or a secret file
 * (`workerDatasetAccess`: `overrides.datasetAccess` may change the roots, never what is denied). The deploy and
 * monitor steps reach the configured model server (`config.modelServer.url`) with its control-plane token, read on
 * first use (see `resolveModelServerToken`); a rollout may also target the configured webhook deploy targets
 * (`config.deployTargets`), each with its own token file. Nothing is contacted here: `createSlipwayWorker` checks the backends
 * before it polls.
 */
export function embeddedDeps(config: SlipwayConfig, overrides: Partial<ActivityDeps> = {}): ActivityDeps {
  const s3 = overrides.s3 ?? config.s3;
  const artifacts = overrides.artifacts ?? openConfiguredArtifacts({ ...config, s3 });
  const registry = overrides.registry ?? openConfiguredRegistry(config);
  // One audit log: the registry's mutations and the model guardian's decisions are written to it.
  const auditLog = overrides.auditLog ?? openConfiguredAuditLog({ ...config, s3 });
  return {
    artifacts,
    registry: withAudit(registry, auditLog, { artifacts }),
    auditLog,
    predictors: { ...builtinPredictors, ...overrides.predictors },
    ...(overrides.trainers ? { trainers: overrides.trainers } : {}),
    // The configured trainer processes: a run names one, the command comes from the configuration only.
    processTrainers: overrides.processTrainers ?? configuredProcessTrainers(config),
    ...(overrides.codeVersion ? { codeVersion: overrides.codeVersion } : {}),
    s3,
    datasetAccess: workerDatasetAccess(config, overrides.datasetAccess),
    modelServer: overrides.modelServer ?? modelServerAccess(config),
    // The webhook deploy targets a rollout may name, each with its own token (sent to its origin only).
    deployTargets: overrides.deployTargets ?? deployTargetsAccess(config),
    ...(overrides.deployTarget ? { deployTarget: overrides.deployTarget } : {}),
    // The configured notifiers are read (secrets and all) by `createSlipwayWorker` before it polls.
    ...(overrides.notifier ? { notifier: overrides.notifier } : {}),
    ...directoryDeps(config, overrides),
  };
}

/**
 * The directory of people: a given source, else the configured file (read afresh whenever a gate opens), trusted
 * only when signed by the configured administrator key.
 */
function directoryDeps(config: SlipwayConfig, overrides: Partial<ActivityDeps>): Pick<ActivityDeps, 'directory'> {
  const directory = overrides.directory ?? configuredDirectory(config);
  return directory ? { directory } : {};
}
