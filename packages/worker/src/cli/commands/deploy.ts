import type { Command } from '@commander-js/extra-typings';
import { RolloutPlan, type DeployVersionResult, type DeployWaitState } from '@slipway/sdk';
import { SlipwayClientError, readJsonFile } from '@slipway/sdk/client';
import pc from 'picocolors';
import { renderStatus } from '../render.js';
import { withClient, type GlobalOptions } from '../context.js';

/**
 * `slipway deploy <model>@<version> --as <name> [--rollout plan.json]`: deploy a version whose approval is on
 * record, without a new gate; and `slipway deploy retry|abort <runId> --as <name> --reason <text>`: answer a run
 * whose deploy failed after its approval and waits for an operator. Everything is signed with the caller's key.
 */
export function registerDeployCommands(program: Command, globals: () => GlobalOptions): void {
  const deploy = program
    .command('deploy')
    .description('deploy a version whose approval is on record, or retry or abort a failed deploy')
    .argument('<model@version>', 'the registered version, e.g. churn@3')
    .requiredOption('--as <name>', 'who deploys: one of the people its approval policy lets decide (signs the start)')
    .option('--rollout <file>', 'roll it out under this plan (a RolloutPlan JSON file) instead of one swap')
    .option('--server-url <url>', "the model server (default: the configuration's)")
    .option('--alias <alias>', 'the alias that serves', 'champion')
    .option('--no-wait', 'return as soon as the run has started')
    .action(async (target, options) => {
      const { model, version } = parseTarget(target);
      const rollout = options.rollout ? readPlan(options.rollout) : undefined;
      await withClient(
        globals(),
        options.as,
        async (client, config) => {
          const serverUrl = options.serverUrl ?? config.modelServer.url;
          const input = {
            model,
            version,
            deploy: { serverUrl, alias: options.alias },
            ...(rollout ? { rollout } : {}),
          };
          const { runId } = await client.deploy(input);
          console.log(`started ${pc.bold(runId)} (deploy ${model} v${version} on its approval on record)`);
          if (!options.wait) return;
          const last = await client.follow(runId, { until: 'end' });
          if (last.status !== 'COMPLETED') {
            process.exitCode = 1;
            console.log(renderStatus(await client.status(runId)));
            return;
          }
          const result = await client.result<DeployVersionResult>(runId);
          if (result.status !== 'deployed') process.exitCode = 1;
          console.log(
            `${result.status === 'deployed' ? pc.green('✔') : pc.red('✘')} ${model} v${version}: ${result.status}`,
          );
          // The run's start is signed by --as, who must be one of the people the recorded policy lets decide.
        },
        { startAs: options.as },
      );
    });
  const commands = {
    retry: 'deploy again, with the same approval (after the model server is back)',
    abort: 'end the run, nothing serving changed',
  } as const;
  for (const [command, description] of Object.entries(commands) as [keyof typeof commands, string][]) {
    deploy
      .command(command)
      .description(`a run whose deploy failed after its approval: ${description}`)
      .argument('<runId>', 'the run that waits for an operator')
      .requiredOption('--as <name>', 'who decides: one of the approval policy’s approvers (signs with your key)')
      .requiredOption('--reason <text>', 'why, for the record')
      .action(async (runId, options) => {
        await withClient(globals(), options.as, async (client) => {
          const state = await client.deployCommand(runId, command, { as: options.as, reason: options.reason });
          console.log(`${pc.green('✔')} deploy ${command} by ${options.as} accepted: ${describeWait(state)}`);
        });
      });
  }
}

/** `churn@3` or `churn@v3` → model and version; anything else is refused, naming what was given. */
export function parseTarget(target: string): { model: string; version: number } {
  const match = /^(.+)@v?(\d+)$/.exec(target);
  const version = match ? Number(match[2]) : NaN;
  if (!match?.[1] || !Number.isSafeInteger(version) || version < 1) {
    throw new SlipwayClientError('InvalidInput', `expected <model>@<version> (e.g. churn@3), got "${target}"`);
  }
  return { model: match[1], version };
}

function readPlan(file: string) {
  const parsed = RolloutPlan.safeParse(readJsonFile(file, 'the rollout plan'));
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
  throw new SlipwayClientError('InvalidInput', `${file} is not a rollout plan: ${issues}`);
}

function describeWait(state: DeployWaitState): string {
  return `v${state.version} of ${state.model} is ${state.phase}`;
}
