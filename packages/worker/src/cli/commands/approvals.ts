import { Option, type Command } from '@commander-js/extra-typings';
import pc from 'picocolors';
import type { GateState } from '@slipway/sdk';
import { canAsk, confirmOnTerminal } from '../confirm.js';
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
      .description(`${kind} the promotion a run is waiting on, signed with your key after showing its evidence`)
      .argument('<runId>', 'the run id')
      .requiredOption('--as <name>', 'who decides: your name in the directory of people (signs with your key)')
      .option('--comment <text>', 'why')
      .option('--evidence <digest>', 'the evidence digest you reviewed (required with --yes)')
      .option('--yes', 'do not ask: sign at once (needs --evidence naming the digest you reviewed)')
      // Groups used to be declared here; they now come from the worker's directory, so the flag is refused.
      .addOption(new Option('--group <group...>').hideHelp())
      .action(async (runId, options) => {
        if (options.group) throw new Error(GROUP_FLAG_REFUSED);
        await withClient(globals(), options.as, async (client) => {
          const shown = await client.gate(runId);
          console.log(renderEvidence(shown));
          await confirmDecision(kind, shown, options);
          const decision = {
            as: options.as,
            evidenceDigest: shown.evidence.digest,
            ...(options.comment ? { comment: options.comment } : {}),
          };
          const gate =
            kind === 'approve' ? await client.approve(runId, decision) : await client.reject(runId, decision);
          console.log(`${pc.green('✔')} ${kind === 'approve' ? 'approval' : 'rejection'} by ${options.as} accepted`);
          console.log(renderEvidence(gate));
        });
      });
  }
}

/**
 * Refuses to sign unless the person confirmed what they saw: `--yes` with `--evidence` equal to the gate's
 * evidence digest, or "y" on a terminal. A script without `--yes` is refused, never signed for.
 */
async function confirmDecision(
  kind: 'approve' | 'reject',
  gate: GateState,
  options: { as: string; yes?: true; evidence?: string },
): Promise<void> {
  const digest = gate.evidence.digest;
  if (gate.status !== 'pending')
    throw new Error(`the gate for ${gate.model} v${gate.version} is closed: ${gate.status}`);
  if (options.evidence !== undefined && options.evidence !== digest) {
    throw new Error(
      `the gate's evidence is ${digest}, not ${options.evidence} as given with --evidence: the evidence changed or the digest is wrong; review it above and try again`,
    );
  }
  if (options.yes) {
    if (options.evidence === undefined) {
      throw new Error(`--yes needs --evidence <digest> naming the evidence you reviewed (now ${digest})`);
    }
    return;
  }
  if (!canAsk()) {
    throw new Error(
      `not signed: ${kind} asks for confirmation on a terminal; in a script pass --yes --evidence ${digest} after reviewing the evidence above`,
    );
  }
  const question = `Sign this ${kind === 'approve' ? 'approval' : 'rejection'} of ${gate.model} v${gate.version} as ${options.as} (evidence ${digest})?`;
  if (!(await confirmOnTerminal(question))) throw new Error(`not signed: ${options.as} did not confirm the ${kind}`);
}
