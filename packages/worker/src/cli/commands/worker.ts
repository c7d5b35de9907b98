import { resolve } from 'node:path';
import type { Command } from '@commander-js/extra-typings';
import pc from 'picocolors';
import { createSlipwayWorker } from '../../worker/create-worker.js';
import { commandConfig, type GlobalOptions } from '../context.js';

/** `slipway worker`: runs a worker for the built-in pipelines (or a given workflows module) until stopped. */
export function registerWorkerCommand(program: Command, globals: () => GlobalOptions): void {
  program
    .command('worker')
    .description('run a worker: Slipway steps and pipelines on the task queue, until Ctrl-C')
    .option('--workflows <path>', "a workflows module to serve instead of Slipway's ready-made pipelines")
    .option('--max-activities <n>', 'at most this many activities at once', (v) => Number.parseInt(v, 10))
    .action(async (options) => {
      const config = commandConfig(globals());
      const slipway = await createSlipwayWorker({
        config,
        ...(options.workflows ? { workflowsPath: resolve(options.workflows) } : {}),
        ...(options.maxActivities
          ? { workerOptions: { maxConcurrentActivityTaskExecutions: options.maxActivities } }
          : {}),
      });
      console.log(
        `${pc.green('●')} worker polling ${pc.bold(config.taskQueue)} on ${config.temporal.address} (namespace ${config.temporal.namespace}); Ctrl-C to stop`,
      );
      console.log(
        config.directory
          ? pc.dim(`  approver groups resolve from the directory of people ${config.directory}`)
          : pc.dim('  no directory of people (`directory`): policies that name approver groups fail at start'),
      );
      await slipway.run();
      console.log('worker stopped');
    });
}
