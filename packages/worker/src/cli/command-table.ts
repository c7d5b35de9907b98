/**
 * Where each top-level `slipway` command is registered, so the CLI loads only the module of the command it runs.
 * Importing every command's module costs about a second (the Temporal worker's native module, the activities'
 * adapters, webpack), which a person running `slipway approvals` would wait for on every call. A test checks that
 * this table names exactly the commands each module registers.
 */
import type { Command } from '@commander-js/extra-typings';
import type { GlobalOptions } from './context.js';

/** Registers one module's commands on the program. */
export type RegisterCommands = (program: Command, globals: () => GlobalOptions) => void;

/** One command module: the top-level commands it registers, and how to load its register function. */
export interface CommandModule {
  readonly commands: readonly string[];
  readonly load: () => Promise<RegisterCommands>;
}

/** Every command module, in the order `slipway --help` lists them. */
export const COMMAND_MODULES: readonly CommandModule[] = [
  { commands: ['dev'], load: async () => (await import('./commands/dev.js')).registerDevCommand },
  { commands: ['worker'], load: async () => (await import('./commands/worker.js')).registerWorkerCommand },
  { commands: ['bundle'], load: async () => (await import('./commands/bundle.js')).registerBundleCommand },
  {
    commands: ['replay-check'],
    load: async () => (await import('./commands/replay-check.js')).registerReplayCheckCommand,
  },
  { commands: ['serve'], load: async () => (await import('./commands/serve.js')).registerServeCommand },
  {
    commands: ['run', 'status', 'cancel', 'terminate'],
    load: async () => (await import('./commands/runs.js')).registerRunCommands,
  },
  { commands: ['schedule'], load: async () => (await import('./commands/schedules.js')).registerScheduleCommands },
  {
    commands: ['approvals', 'approve', 'reject'],
    load: async () => (await import('./commands/approvals.js')).registerApprovalCommands,
  },
  { commands: ['rollout'], load: async () => (await import('./commands/rollout.js')).registerRolloutCommands },
  { commands: ['deploy'], load: async () => (await import('./commands/deploy.js')).registerDeployCommands },
  { commands: ['rollback'], load: async () => (await import('./commands/rollback.js')).registerRollbackCommand },
  { commands: ['guard'], load: async () => (await import('./commands/guard.js')).registerGuardCommands },
  { commands: ['data'], load: async () => (await import('./commands/data.js')).registerDataCommands },
  { commands: ['models'], load: async () => (await import('./commands/models.js')).registerModelCommands },
  {
    commands: ['runs'],
    load: async () => (await import('./commands/tracking-runs.js')).registerTrackingRunCommands,
  },
  { commands: ['audit'], load: async () => (await import('./commands/audit.js')).registerAuditCommands },
  { commands: ['keys'], load: async () => (await import('./commands/keys.js')).registerKeyCommands },
  {
    commands: ['directory'],
    load: async () => (await import('./commands/directory.js')).registerDirectoryCommands,
  },
  { commands: ['ui'], load: async () => (await import('./commands/ui.js')).registerUiCommand },
];

/**
 * The command an argument list names: the first word that is not an option, nor the value of one of the global
 * options that take a value (`withValue`, e.g. `--home` in `--home ./state approvals`).
 */
export function commandNamed(args: readonly string[], withValue: ReadonlySet<string>): string | undefined {
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i]!;
    if (withValue.has(arg)) i += 1;
    else if (!arg.startsWith('-')) return arg;
  }
  return undefined;
}

/**
 * The modules to load for an argument list: the one that registers the named command, or every module when no
 * known command is named (help, a typo that Commander should answer with the list, `help <command>`).
 */
export function modulesFor(args: readonly string[], withValue: ReadonlySet<string>): readonly CommandModule[] {
  const name = commandNamed(args, withValue);
  const owner = COMMAND_MODULES.find((m) => name !== undefined && m.commands.includes(name));
  return owner ? [owner] : COMMAND_MODULES;
}
