import type { Command } from '@commander-js/extra-typings';
import pc from 'picocolors';
import { builtinPipeline } from '@slipway/sdk';
import { checkPipelineInput, readRunInput } from '@slipway/sdk/client';
import { renderStatus, renderStep } from '../render.js';
import { withClient, type GlobalOptions } from '../context.js';

/**
 * `slipway run <pipeline> --input <file.json>`, `slipway status <runId>`, `slipway cancel <runId>` and
 * `slipway terminate <runId> --reason <text>`.
 */
export function registerRunCommands(program: Command, globals: () => GlobalOptions): void {
  program
    .command('run')
    .description(
      'start a pipeline run (e.g. trainAndPromote) with the input in a JSON file, as your identity (startedBy)',
    )
    .argument(
      '<pipeline>',
      'the pipeline (workflow type) to run; the input of a built-in one (trainAndPromote, checkDrift, promoteVersion) is checked before it starts',
    )
    .requiredOption('-i, --input <file>', 'the run input, a JSON file; relative dataset paths resolve against it')
    .option('--run-id <id>', 'the run id (default: <pipeline>-<time>-<random>)')
    .option('--no-wait', 'return as soon as the run has started')
    .action(async (pipeline, options) => {
      const input = readRunInput(options.input);
      // A built-in pipeline's input is checked here, naming the file and each field, before anything starts.
      const contract = builtinPipeline(pipeline);
      if (contract) checkPipelineInput(contract, input, options.input);
      await withClient(globals(), undefined, async (client) => {
        const start = options.runId ? { runId: options.runId } : {};
        const { runId } = await (contract
          ? client.start(contract, input, start)
          : client.start(pipeline, input, start));
        console.log(`started ${pc.bold(runId)}`);
        if (!options.wait) return;
        const last = await client.follow(runId, {
          until: 'gate',
          onStep: (step, progress) => console.log(renderStep(step, 10, progress.gate)),
        });
        if (last.workflowTaskFailure) {
          process.exitCode = 1;
          console.error(`${pc.red('error:')} run ${runId} cannot go on: ${last.workflowTaskFailure.message}`);
          console.error(`the run is still open; end it with: slipway terminate ${runId} --reason "<why>"`);
        } else if (last.progress?.gate?.status === 'pending') {
          console.log(
            `\nwaiting for approval; decide with:\n  slipway approve ${runId} --as <name>\n  slipway reject ${runId} --as <name>`,
          );
        } else if (last.status !== 'COMPLETED') {
          process.exitCode = 1;
          console.log(renderStatus(await client.status(runId)));
        }
      });
    });

  program
    .command('status')
    .description("show a run's steps, its gate and evidence, and its result")
    .argument('<runId>', 'the run id')
    .option('--json', 'print the status as JSON')
    .action(async (runId, options) => {
      await withClient(globals(), undefined, async (client) => {
        const status = await client.status(runId);
        console.log(options.json ? JSON.stringify(status, null, 2) : renderStatus(status));
      });
    });

  program
    .command('cancel')
    .description('ask an open run to stop: its workflow is cancelled at its next step')
    .argument('<runId>', 'the run id')
    .action(async (runId) => {
      await withClient(globals(), undefined, async (client) => {
        await client.cancel(runId);
        console.log(`${pc.green('✔')} cancellation of ${runId} requested`);
        console.log(pc.dim(`see where it stopped with: slipway status ${runId}`));
      });
    });

  program
    .command('terminate')
    .description('end an open run at once, e.g. one whose workflow task keeps failing')
    .argument('<runId>', 'the run id')
    .requiredOption('--reason <text>', 'why, recorded in the run history')
    .action(async (runId, options) => {
      await withClient(globals(), undefined, async (client) => {
        await client.terminate(runId, options.reason);
        console.log(`${pc.green('✔')} ${runId} terminated: ${options.reason}`);
      });
    });
}
