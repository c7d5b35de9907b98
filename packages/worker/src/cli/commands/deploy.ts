import type { Command } from '@commander-js/extra-typings';
import type { DeployCommandKind, DeployVersionResult, DeployWaitState } from '@slipway/sdk';
import { SlipwayClientError, readRolloutPlanFile, type SlipwayClient } from '@slipway/sdk/client';
import type { SlipwayConfig } from '../../config/index.js';
import pc from 'picocolors';
import { renderStatus } from '../render.js';
import { withClient, type GlobalOptions } from '../context.js';

/**
 * `slipway deploy <model>@<version> --as <name> [--rollout plan.json]`: deploy a version whose approval is on
 * record, without a new gate; and `slipway deploy retry|abort <runId> --as <name> --reason <text>`: answer a run
 * whose deploy failed after its approval and waits for an operator. Everything is signed with the caller's key.
 */
export function registerDeployCommands(program: Command, globals: () => GlobalOptions): void {
  program
    .command('deploy')
    .description(
      'deploy a version whose approval is on record (deploy <model>@<version>), or answer a run whose deploy failed ' +
        'after its approval (deploy retry|abort <runId> --reason <text>)',
    )
    .argument('<target>', '<model>@<version> (e.g. churn@3), or retry or abort')
    .argument('[runId]', 'with retry or abort: the run that waits for an operator')
    .requiredOption('--as <name>', 'who acts: one of the people the approval policy lets decide (signs with your key)')
    .option('--reason <text>', 'with retry or abort: why, for the record')
    .option('--rollout <file>', 'roll it out under this plan (a RolloutPlan JSON file) instead of one swap')
    .option('--server-url <url>', "the model server (default: the configuration's)")
    .option('--alias <alias>', 'the alias that serves', 'champion')
    .option('--no-wait', 'return as soon as the run has started')
    .action(async (target, runId, options) => {
      if (target === 'retry' || target === 'abort') {
        await answerWait(globals(), target, runId, options);
        return;
      }
      if (runId !== undefined) {
        throw new SlipwayClientError('InvalidInput', `slipway deploy ${target} takes no run id (got "${runId}")`);
      }
      await deployOnRecord(globals(), target, options);
    });
}

interface DeployOptions {
  as: string;
  reason?: string | undefined;
  rollout?: string | undefined;
  serverUrl?: string | undefined;
  alias: string;
  wait: boolean;
}

/** `slipway deploy retry|abort <runId> --as <name> --reason <text>`. */
async function answerWait(
  globals: GlobalOptions,
  command: DeployCommandKind,
  runId: string | undefined,
  options: DeployOptions,
): Promise<void> {
  if (runId === undefined || options.reason === undefined) {
    throw new SlipwayClientError(
      'InvalidInput',
      `slipway deploy ${command} needs the run that waits and a reason: slipway deploy ${command} <runId> --as <name> --reason <text>`,
    );
  }
  const { reason } = options;
  await withClient(globals, options.as, async (client) => {
    const state = await client.deployCommand(runId, command, { as: options.as, reason });
    console.log(`${pc.green('✔')} deploy ${command} by ${options.as} accepted: ${describeWait(state)}`);
  });
}

/** `slipway deploy <model>@<version> --as <name>`: the run's start is signed by --as. */
async function deployOnRecord(globals: GlobalOptions, target: string, options: DeployOptions): Promise<void> {
  const { model, version } = parseTarget(target);
  const rollout = options.rollout ? readRolloutPlanFile(options.rollout) : undefined;
  const run = async (client: SlipwayClient, config: SlipwayConfig) => {
    const serverUrl = options.serverUrl ?? config.modelServer.url;
    const input = { model, version, deploy: { serverUrl, alias: options.alias }, ...(rollout ? { rollout } : {}) };
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
    const mark = result.status === 'deployed' ? pc.green('✔') : pc.red('✘');
    console.log(`${mark} ${model} v${version}: ${result.status}`);
  };
  await withClient(globals, options.as, run, { startAs: options.as });
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

function describeWait(state: DeployWaitState): string {
  return `v${state.version} of ${state.model} is ${state.phase}`;
}
