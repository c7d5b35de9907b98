import { Option, type Command } from '@commander-js/extra-typings';
import pc from 'picocolors';
import { renderEvidence, renderPending } from '../render.js';
import { withClient, type GlobalOptions } from '../context.js';

const GROUP_FLAG_REFUSED =
  "--group is not accepted: the gate takes group membership from the worker's directory of people (`directory` in slipway.config.json), never from the decision; decide with --as <name> alone";

/** `slipway approvals`, `slipway approve <runId>` and `slipway reject <runId>`. */
export function registerApprovalCommands(program: Command, globals: () => GlobalOptions): void {
  program
    .command('approvals')
    .description('list promotions waiting for approval, with their evidence')
    .option('--json', 'print the pending gates as JSON')
    .action(async (options) => {
      await withClient(globals(), undefined, async (client) => {
        const pending = await client.pendingApprovals();
        console.log(options.json ? JSON.stringify(pending, null, 2) : renderPending(pending));
      });
    });

  for (const kind of ['approve', 'reject'] as const) {
    program
      .command(kind)
      .description(`${kind} the promotion a run is waiting on`)
      .argument('<runId>', 'the run id')
      .requiredOption('--as <name>', 'who decides (checked against the approval policy)')
      .option('--comment <text>', 'why')
      .option('--evidence <digest>', 'the evidence digest you reviewed (default: the one the gate shows now)')
      // Groups used to be declared here; they now come from the worker's directory, so the flag is refused.
      .addOption(new Option('--group <group...>').hideHelp())
      .action(async (runId, options) => {
        if (options.group) throw new Error(GROUP_FLAG_REFUSED);
        await withClient(globals(), options.as, async (client) => {
          const decision = {
            as: options.as,
            ...(options.comment ? { comment: options.comment } : {}),
            ...(options.evidence ? { evidenceDigest: options.evidence } : {}),
          };
          const gate =
            kind === 'approve' ? await client.approve(runId, decision) : await client.reject(runId, decision);
          console.log(`${pc.green('✔')} ${kind === 'approve' ? 'approval' : 'rejection'} by ${options.as} accepted`);
          console.log(renderEvidence(gate));
        });
      });
  }
}
