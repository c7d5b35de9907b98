/**
 * An isolated Slipway installation for one integration test file: a temp home (registry, artifacts,
 * serving state), a model server on a free port, an in-process worker on its own task queue, and a client,
 * all against the dev server the global setup started.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SlipwayClient } from '@slipway/sdk/client';
import {
  builtinPredictors,
  type ActivitiesDefinition,
  type ActivityDeps,
  type PredictorLoader,
} from '@slipway/activities';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { inject } from 'vitest';
import { createTestPeople, DEFAULT_TEST_PEOPLE, type TestPeople, type TestPeopleSpec } from './people.js';
import {
  loadConfig,
  openConfiguredArtifacts,
  resolveModelServerToken,
  type SlipwayConfig,
  type SlipwayConfigInput,
} from '../../packages/worker/src/config/index.js';
import { startModelServer, type RunningModelServer } from '../../packages/worker/src/serve/index.js';
import { bundleWorkflows, loadWorkflowBundle } from '../../packages/worker/src/worker/workflow-bundle.js';
import {
  createSlipwayWorker,
  type ActivityFunction,
  type SlipwayWorker,
} from '../../packages/worker/src/worker/create-worker.js';

/** Everything one test file needs; `stop()` releases all of it. */
export interface Harness {
  home: string;
  /** A directory for the datasets a test writes: a dataset root of the harness worker (`home` never is one). */
  data: string;
  config: SlipwayConfig;
  client: SlipwayClient;
  modelServer: RunningModelServer;
  worker?: SlipwayWorker;
  /**
   * The people of this installation (keys in a private keys directory, a directory signed by a test
   * administrator the worker trusts); absent with `people: false`.
   */
  people?: TestPeople;
  /**
   * Stops the model server (its port refuses connections: a server down longer than a deploy's retries), and
   * starts it again on the same port, from the same home, artifacts and token (its state restored from disk).
   * `h.modelServer` is the running one.
   */
  modelServerControl: { stop(): Promise<void>; start(): Promise<void> };
  stop(): Promise<void>;
}

/**
 * The repository's own datasets the integration tests read (the examples' data): dataset roots of every harness
 * worker. A harness's `home` is its working directory and its state directory, so it is never a root.
 */
export const HARNESS_DATA_ROOTS: readonly string[] = [resolve(import.meta.dirname, '..', '..', 'examples')];

/**
 * Bundles a workflows module (webpack takes a few seconds). The built-in workflows come from the bundle the
 * global setup made once for the run.
 */
export async function bundle(workflowsPath?: string): Promise<{ code: string }> {
  if (workflowsPath === undefined) return { code: (await loadWorkflowBundle(inject('builtinBundlePath'))).code };
  return bundleWorkflows(workflowsPath);
}

/** Starts an isolated installation; pass `worker: false` to run workers yourself (e.g. as child processes). */
/** Keeps Temporal's worker logs to warnings and errors (once per test process). */
function quietRuntime(): void {
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch {
    // already installed in this process
  }
}

export async function startHarness(options: {
  name: string;
  workflowBundle?: { code: string };
  activities?: Record<string, ActivityFunction> | ActivitiesDefinition;
  worker?: boolean;
  /** S3 settings for `s3://` datasets (the worker's configuration, as `slipway.config.json` would give it). */
  s3?: SlipwayConfigInput['s3'];
  /** More configuration, as `slipway.config.json` would give it (e.g. an MLflow `registry`, S3 `artifacts`). */
  config?: Pick<
    SlipwayConfigInput,
    'registry' | 'artifacts' | 'mlflow' | 'directory' | 'directoryAdminKey' | 'identity' | 'notifiers'
  >;
  /**
   * Who is in the installation's signed directory of people (default {@link DEFAULT_TEST_PEOPLE}), each with a
   * key the harness client and CLI sign with; `false` for a worker with no directory (and a client with no keys).
   */
  people?: TestPeopleSpec | false;
  /** `false`: the people have keys, but the worker is configured with no directory of people. */
  directory?: false;
  /** Services the directory trusts to sign decisions for people (keys made under their names). */
  services?: Record<string, { people?: string[]; groups?: string[] }>;
  /** More dataset roots (e.g. `s3://bucket/prefix`) next to {@link HARNESS_DATA_ROOTS} and the harness's `data`. */
  dataRoots?: string[];
  /** More model kinds the model server loads (test kinds), next to the built-in ones. */
  predictors?: Record<string, PredictorLoader>;
  /** Adapters the harness worker uses instead of the configured ones (e.g. a registry that fails once). */
  deps?: (config: SlipwayConfig) => Partial<ActivityDeps>;
  /** A Temporal server of the test's own (e.g. one it stops and restarts) instead of the suite's dev server. */
  temporal?: { address: string; namespace: string };
}): Promise<Harness> {
  quietRuntime();
  const home = await mkdtemp(join(tmpdir(), `slipway-${options.name}-`));
  const data = await mkdtemp(join(tmpdir(), `slipway-${options.name}-data-`));
  const people =
    options.people === false
      ? undefined
      : await createTestPeople(
          join(home, 'people'),
          options.people ?? DEFAULT_TEST_PEOPLE,
          options.services ? { services: options.services } : {},
        );
  const configured = testConfig(home, `it-${options.name}-${Date.now().toString(36)}`, {
    ...(options.s3 ? { s3: options.s3 } : {}),
    ...(people && options.directory !== false
      ? { directory: people.directoryPath, directoryAdminKey: people.adminPublicKey }
      : {}),
    ...options.config,
    data: { roots: [data, ...HARNESS_DATA_ROOTS, ...(options.dataRoots ?? [])] },
    ...(options.temporal ? { temporal: options.temporal } : {}),
  });
  // The model server and the worker share the home's control-plane token; the worker deploys to this server only.
  const serverOptions = {
    home,
    artifacts: openConfiguredArtifacts(configured),
    predictors: { ...builtinPredictors, ...options.predictors },
    token: await resolveModelServerToken(configured),
  };
  const modelServer = await startModelServer({ ...serverOptions, port: 0 });
  let runningServer: RunningModelServer | undefined = modelServer;
  const config: SlipwayConfig = {
    ...configured,
    modelServer: { ...configured.modelServer, url: modelServer.url, port: modelServer.port },
  };
  const client = await SlipwayClient.connect({
    address: config.temporal.address,
    namespace: config.temporal.namespace,
    taskQueue: config.taskQueue,
    identity: 'integration-test',
    // Runs this client starts are started by `ci-bot` (startedBy), not by whoever runs the tests.
    user: 'ci-bot',
    ...(people ? { keys: { keysDir: people.keysDir } } : {}),
  });
  let worker: SlipwayWorker | undefined;
  let running: Promise<void> | undefined;
  let connection: NativeConnection | undefined;
  if (options.worker !== false) {
    connection = await NativeConnection.connect({ address: config.temporal.address });
    worker = await createSlipwayWorker({
      config,
      connection,
      workflowBundle: options.workflowBundle ?? (await bundle()),
      ...(options.activities ? { activities: options.activities } : {}),
      ...(options.deps ? { deps: options.deps(config) } : {}),
      workerOptions: { shutdownGraceTime: '1s' },
    });
    running = worker.run();
  }
  const harness: Harness = {
    home,
    data,
    config,
    client,
    modelServer,
    ...(worker ? { worker } : {}),
    ...(people ? { people } : {}),
    modelServerControl: {
      async stop() {
        await runningServer?.close();
        runningServer = undefined;
      },
      async start() {
        if (runningServer) return;
        runningServer = await startModelServer({ ...serverOptions, port: modelServer.port });
        harness.modelServer = runningServer;
      },
    },
    async stop() {
      worker?.shutdown();
      await running;
      await connection?.close();
      await client.close();
      await runningServer?.close();
      await rm(home, { recursive: true, force: true });
      await rm(data, { recursive: true, force: true });
    },
  };
  return harness;
}

/** A configuration rooted in `home`, pointed at the suite's dev server, on its own task queue. */
export function testConfig(home: string, taskQueue: string, more: SlipwayConfigInput = {}): SlipwayConfig {
  return loadConfig({
    env: {},
    cwd: home,
    overrides: {
      ...more,
      home,
      taskQueue,
      temporal: more.temporal ?? { address: inject('temporalAddress'), namespace: inject('temporalNamespace') },
    },
  });
}
