import { resolve } from 'node:path';
import { InvalidArgumentError, type Command } from '@commander-js/extra-typings';
import pc from 'picocolors';
import type { ActivityMap } from '@slipway/activities';
import { loadActivitiesModule } from '../../worker/activities-module.js';
import { DEFAULT_MAX_CACHED_WORKFLOWS, createSlipwayWorker } from '../../worker/create-worker.js';
import { loadWorkflowBundle } from '../../worker/workflow-bundle.js';
import { RunningActivities } from '../../worker/running-activities.js';
import { commandConfig, type GlobalOptions } from '../context.js';
import type { SlipwayConfig } from '../../config/index.js';
import { resolveWorkerVersion, setCurrentVersionCommand, withVersioningFlags } from '../../worker/worker-versioning.js';
import { announceDrain, describeServedSteps, graceDuration, stepList } from '../worker-steps.js';
import { metricsHostOption, metricsPortOption, startCommandTelemetry } from '../worker-telemetry-options.js';

/**
 * `slipway worker`: runs a worker until stopped, for the built-in pipelines or a given workflows module, with the
 * built-in steps and, from `--activities`, your own (see `loadActivitiesModule` for the module contract).
 */
export function registerWorkerCommand(program: Command, globals: () => GlobalOptions): void {
  program
    .command('worker')
    .description('run a worker: Slipway steps and pipelines on the task queue, until Ctrl-C')
    .option(
      '--workflows <path>',
      "a workflows module to serve instead of Slipway's ready-made pipelines (re-export them to serve both)",
    )
    .option(
      '--workflow-bundle <file>',
      'a bundle written by `slipway bundle`: loaded as it is, instead of bundling the workflow code at start',
    )
    .option(
      '--activities <path>',
      'a module of your own activities to serve next to the built-in steps: activity functions, implementStep(...) ' +
        'objects, or factories of them (defineActivities((deps) => ...), or the default export)',
    )
    .option('--max-activities <n>', 'at most this many activities at once', (v) => Number.parseInt(v, 10))
    .option(
      '--max-cached-workflows <n>',
      `keep at most this many runs in memory (default ${DEFAULT_MAX_CACHED_WORKFLOWS}); others are replayed from their history when they next have work`,
      cacheSize,
    )
    .option('--deployment-name <name>', 'poll as a version of this Worker Deployment (Worker Versioning)')
    .option('--build-id <id>', "the version's build id (default with --workflow-bundle: the bundle's sha256 digest)")
    .option('--versioning-behavior <behavior>', 'auto-upgrade (default) or pinned: how runs move between versions')
    .option(
      '--workflow-heap-mb <mb>',
      'heap limit of the workflow thread in MB (default: 256 + 6 per cached run, at least 384); an explicit --max-old-space-size in NODE_OPTIONS wins',
      heapMb,
    )
    .option(
      '--steps <names>',
      'serve only these built-in steps, comma-separated (e.g. train, on a GPU host with --task-queue slipway-gpu); ' +
        'serves no workflows unless --workflows or --workflow-bundle is given',
      stepList,
    )
    .option(
      '--shutdown-grace <duration>',
      'on SIGTERM or Ctrl-C, how long in-flight activities may finish before they are cancelled (default: config shutdownGrace, 30s)',
      graceDuration,
    )
    .option(
      '--metrics-port <n>',
      'serve /metrics (Prometheus) and /healthz on this port, 0 for a free one (default: the `metrics.port` setting, else none)',
      metricsPortOption,
    )
    .option(
      '--metrics-host <host>',
      'the address /metrics and /healthz listen on (default 127.0.0.1; any other needs SLIPWAY_METRICS_TOKEN)',
      metricsHostOption,
    )
    .action(async (options) => {
      const loaded = withVersioningFlags(commandConfig(globals()), options);
      const config = options.shutdownGrace ? { ...loaded, shutdownGrace: options.shutdownGrace } : loaded;
      if (options.workflows && options.workflowBundle) {
        throw new Error('--workflows and --workflow-bundle exclude each other: the bundle already holds its workflows');
      }
      const bundle = options.workflowBundle ? await loadWorkflowBundle(options.workflowBundle) : undefined;
      // A module that cannot load or gives no activity fails here, before anything is opened.
      const own = options.activities === undefined ? undefined : await loadActivitiesModule(options.activities);
      let served: ActivityMap = {};
      // Before any connection: the Temporal runtime's metrics exporter is set when the runtime is installed.
      const telemetry = await startCommandTelemetry(config, options);
      // What a shutdown that outlasts its grace names (see announceDrain).
      const running = new RunningActivities();
      const slipway = await telemetry.guard(
        createSlipwayWorker({
          config,
          ...telemetry.workerOptions,
          telemetry: { ...telemetry.workerOptions.telemetry, running },
          ...(options.workflows ? { workflowsPath: resolve(options.workflows) } : {}),
          ...(bundle ? { workflowBundle: { code: bundle.code } } : {}),
          ...(own ? { activities: async (deps) => (served = await own.create(deps)) } : {}),
          ...(options.workflowHeapMb === undefined ? {} : { workflowHeapMb: options.workflowHeapMb }),
          ...(options.steps ? { steps: options.steps } : {}),
          workerOptions: {
            ...(options.maxActivities ? { maxConcurrentActivityTaskExecutions: options.maxActivities } : {}),
            ...(options.maxCachedWorkflows === undefined ? {} : { maxCachedWorkflows: options.maxCachedWorkflows }),
          },
        }),
      );
      console.log(
        `${pc.green('●')} worker polling ${pc.bold(config.taskQueue)} on ${config.temporal.address} (namespace ${config.temporal.namespace}); Ctrl-C to stop`,
      );
      if (bundle)
        console.log(pc.dim(`  workflows from the bundle ${options.workflowBundle} (${bundle.header.workflows})`));
      if (options.steps) console.log(pc.dim(describeServedSteps(options.steps, Boolean(bundle ?? options.workflows))));
      if (own) console.log(pc.dim(`  your activities from ${own.path}: ${Object.keys(served).join(', ')}`));
      printVersion(config, bundle);
      console.log(
        config.directory
          ? pc.dim(
              `  approver groups resolve from the directory of people ${config.directory}, signed by ${config.directoryAdminKey}`,
            )
          : pc.dim('  no directory of people (`directory`): policies that name approver groups fail at start'),
      );
      telemetry.watch(slipway.worker);
      const stopAnnouncing = announceDrain(config.shutdownGrace, running);
      try {
        await slipway.run();
      } finally {
        stopAnnouncing();
        await telemetry.stop();
      }
      console.log('worker stopped');
    });
}

/** The Worker Deployment version the worker polls as, and how to make it current. */
function printVersion(config: SlipwayConfig, bundle: { code: string } | undefined): void {
  const version = resolveWorkerVersion(config.temporal.deployment, bundle);
  if (version === undefined) return;
  const behavior = version.defaultVersioningBehavior.toLowerCase().replace('_', '-');
  console.log(
    pc.dim(`  Worker Deployment ${version.deploymentName}, build id ${version.buildId} (runs: ${behavior}); `) +
      pc.dim(`new runs reach it once it is current: ${setCurrentVersionCommand(version, config.temporal.namespace)}`),
  );
}

/** `--workflow-heap-mb`: a whole number of MB, at least 64. */
function heapMb(value: string): number {
  const n = Number(value);
  if (Number.isInteger(n) && n >= 64) return n;
  throw new InvalidArgumentError(`expected a whole number of MB of at least 64, got ${JSON.stringify(value)}`);
}

/** `--max-cached-workflows`: 0 (no cache: every activation replays) or at least 2, as Temporal's worker takes it. */
function cacheSize(value: string): number {
  const n = Number(value);
  if (Number.isInteger(n) && (n === 0 || n >= 2)) return n;
  throw new InvalidArgumentError(`expected 0 or a whole number of at least 2, got ${JSON.stringify(value)}`);
}
