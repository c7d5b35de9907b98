#!/usr/bin/env node
/**
 * The `slipway` command line: a dev server, workers, the model server, runs, status, approvals, datasets,
 * registered models with their lineage, the audit trail, signing keys and the signed directory of people.
 * Exit codes: 0 success, 1 the command failed (the message says why); `data validate` and `audit verify` say
 * more with 1 and 2.
 */
import { Command } from '@commander-js/extra-typings';
import pc from 'picocolors';
import { registerApprovalCommands } from './commands/approvals.js';
import { registerAuditCommands } from './commands/audit.js';
import { registerBundleCommand } from './commands/bundle.js';
import { registerReplayCheckCommand } from './commands/replay-check.js';
import { registerDataCommands } from './commands/data.js';
import { registerDeployCommands } from './commands/deploy.js';
import { registerDevCommand } from './commands/dev.js';
import { registerDirectoryCommands } from './commands/directory.js';
import { registerGuardCommands } from './commands/guard.js';
import { registerKeyCommands } from './commands/keys.js';
import { registerModelCommands } from './commands/models.js';
import { registerRolloutCommands } from './commands/rollout.js';
import { registerRollbackCommand } from './commands/rollback.js';
import { registerRunCommands } from './commands/runs.js';
import { registerScheduleCommands } from './commands/schedules.js';
import { registerServeCommand } from './commands/serve.js';
import { registerTrackingRunCommands } from './commands/tracking-runs.js';
import { registerUiCommand } from './commands/ui.js';
import { registerWorkerCommand } from './commands/worker.js';
import type { GlobalOptions } from './context.js';

const program = new Command()
  .name('slipway')
  .description('Slipway: train, approve, deploy and monitor models as durable Temporal workflows')
  .option('--address <host:port>', 'Temporal frontend address (default: TEMPORAL_ADDRESS or 127.0.0.1:7233)')
  .option('--namespace <name>', 'Temporal namespace (default: TEMPORAL_NAMESPACE or default)')
  .option('--home <dir>', 'Slipway state directory (default: SLIPWAY_HOME or ./.slipway)')
  .option('--task-queue <name>', 'task queue (default: SLIPWAY_TASK_QUEUE or slipway)')
  .showHelpAfterError();

const globals = (): GlobalOptions => program.opts();
registerDevCommand(program, globals);
registerWorkerCommand(program, globals);
registerBundleCommand(program);
registerReplayCheckCommand(program, globals);
registerServeCommand(program, globals);
registerRunCommands(program, globals);
registerScheduleCommands(program, globals);
registerApprovalCommands(program, globals);
registerRolloutCommands(program, globals);
registerDeployCommands(program, globals);
registerRollbackCommand(program, globals);
registerGuardCommands(program, globals);
registerDataCommands(program, globals);
registerModelCommands(program, globals);
registerTrackingRunCommands(program, globals);
registerAuditCommands(program, globals);
registerKeyCommands(program);
registerDirectoryCommands(program, globals);
registerUiCommand(program, globals);

program.parseAsync(process.argv).catch((err: unknown) => {
  console.error(`${pc.red('error:')} ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
