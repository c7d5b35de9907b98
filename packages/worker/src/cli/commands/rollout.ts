import type { Command } from '@commander-js/extra-typings';
import pc from 'picocolors';
import { renderRollout } from '../render-rollout.js';
import { withClient, type GlobalOptions } from '../context.js';

/**
 * `slipway rollout status <model>` and `slipway rollout pause|resume|promote|abort <model> --as <name> --reason
 * <text>`: read a model's rollout, and command it, signed with the operator's key.
 */
export function registerRolloutCommands(program: Command, globals: () => GlobalOptions): void {
  const rollout = program.command('rollout').description("read or command a model's running rollout");
  rollout
    .command('status')
    .description("the rollout's phase, split, readings per window and commands")
    .argument('<model>', 'the model')
    .option('--json', 'print the state as JSON')
    .action(async (model, options) => {
      await withClient(globals(), undefined, async (client) => {
        const state = await client.rolloutStatus(model);
        console.log(options.json ? JSON.stringify(state, null, 2) : renderRollout(state));
      });
    });
  const commands = {
    pause: 'hold the split where it is (the deadline still applies)',
    resume: 'go on after a pause (a paused breach bakes its step again)',
    promote: 'promote the candidate now, skipping the remaining steps',
    abort: 'roll the candidate back: all traffic to stable, the version marked rolled back',
  } as const;
  for (const [command, description] of Object.entries(commands) as [keyof typeof commands, string][]) {
    rollout
      .command(command)
      .description(description)
      .argument('<model>', 'the model')
      .requiredOption('--as <name>', 'who commands: your name in the directory of people (signs with your key)')
      .requiredOption('--reason <text>', 'why, for the record')
      .action(async (model, options) => {
        await withClient(globals(), options.as, async (client) => {
          const state = await client.rolloutCommand(model, command, { as: options.as, reason: options.reason });
          console.log(`${pc.green('✔')} ${command} by ${options.as} accepted`);
          console.log(renderRollout(state));
        });
      });
  }
}
