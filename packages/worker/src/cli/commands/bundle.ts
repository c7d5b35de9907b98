import { resolve } from 'node:path';
import type { Command } from '@commander-js/extra-typings';
import pc from 'picocolors';
import { builtinWorkflowsPath } from '../../worker/create-worker.js';
import { writeWorkflowBundle } from '../../worker/workflow-bundle.js';

/** Where `slipway bundle` writes by default. */
export const DEFAULT_BUNDLE_FILE = 'slipway-workflows.bundle.js';

/**
 * `slipway bundle`: bundles the workflow code once (Slipway's pipelines, or `--workflows`), so workers started
 * with `--workflow-bundle` skip webpack at start.
 */
export function registerBundleCommand(program: Command): void {
  program
    .command('bundle')
    .description('write the workflow bundle once, for workers to load with --workflow-bundle (no webpack at start)')
    .option('--workflows <path>', "a workflows module to bundle instead of Slipway's ready-made pipelines")
    .option('--out <file>', 'where to write the bundle', DEFAULT_BUNDLE_FILE)
    .option(
      '--tracing',
      "carry OpenTelemetry's workflow interceptors, for workers that send traces (for new runs: runs recorded without them do not replay with them)",
    )
    .action(async (options) => {
      const workflowsPath = options.workflows ? resolve(options.workflows) : builtinWorkflowsPath();
      const started = Date.now();
      const header = await writeWorkflowBundle({ workflowsPath, out: options.out, tracing: options.tracing === true });
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      console.log(`${pc.green('✔')} wrote ${resolve(options.out)} in ${seconds} s (${header.digest})`);
      console.log(pc.dim(`  start workers with: slipway worker --workflow-bundle ${options.out}`));
    });
}
