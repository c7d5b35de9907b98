/** The `slipway` program itself: its name, its global options, and the commands an argument list needs. */
import { Command } from '@commander-js/extra-typings';
import { modulesFor } from './command-table.js';
import type { GlobalOptions } from './context.js';

/** The bare program with the global options every command reads, and no command yet. */
export function createProgram() {
  return new Command()
    .name('slipway')
    .description('Slipway: train, approve, deploy and monitor models as durable Temporal workflows')
    .option('--address <host:port>', 'Temporal frontend address (default: TEMPORAL_ADDRESS or 127.0.0.1:7233)')
    .option('--namespace <name>', 'Temporal namespace (default: TEMPORAL_NAMESPACE or default)')
    .option('--home <dir>', 'Slipway state directory (default: SLIPWAY_HOME or ./.slipway)')
    .option('--task-queue <name>', 'task queue (default: SLIPWAY_TASK_QUEUE or slipway)')
    .showHelpAfterError();
}

/**
 * The program with the commands `args` needs: only the named command's module, or every module for help or an
 * unknown command (see `command-table.ts`).
 */
export async function programFor(args: readonly string[]) {
  const program = createProgram();
  const globals = (): GlobalOptions => program.opts();
  const withValue = new Set(program.options.filter((o) => o.required && o.long).map((o) => o.long!));
  const registers = await Promise.all(modulesFor(args, withValue).map((m) => m.load()));
  for (const register of registers) register(program, globals);
  return program;
}
