import type { Command } from '@commander-js/extra-typings';
import pc from 'picocolors';
import { readGuardFile } from '@slipway/sdk/client';
import { GuardReport, parseOrFail } from '@slipway/sdk';
import { openConfiguredArtifacts } from '../../config/index.js';
import { renderCheckSummary, renderGuardStatus } from '../render-guard.js';
import { renderGuardReport } from '../render-guard-report.js';
import { commandConfig, withClient, type GlobalOptions } from '../context.js';

/**
 * `slipway guard start <model> --every 1h --policy guard.json --as <name>`, `slipway guard status|report <model>` and
 * `slipway guard pause|resume|stop <model> --as <name> --reason <text>`: the model guardian from the command line.
 */
export function registerGuardCommands(program: Command, globals: () => GlobalOptions): void {
  const guard = program.command('guard').description('watch a model for drift and retrain it (the model guardian)');
  guard
    .command('start')
    .description('start the guardian of a model (guardian:<model>), signed with your key')
    .argument('<model>', 'the model')
    .requiredOption('--every <duration>', 'how often to check, e.g. 1h')
    .requiredOption('--policy <file>', 'the guard file: source, policy, hysteresis, cooldown, budget, retrain')
    .requiredOption('--as <name>', 'who starts it: your name in the directory of people (signs with your key)')
    .option('--alias <alias>', 'the alias whose version is watched (default champion)')
    .option('--backfill-from <time>', 'before watching, check each period from this time (ISO 8601)')
    .option('--backfill-to <time>', '... up to this time (default now)')
    .action(async (model, options) => {
      const backfill = options.backfillFrom
        ? { from: options.backfillFrom, to: options.backfillTo ?? new Date().toISOString() }
        : undefined;
      const input = readGuardFile(options.policy, { model, every: options.every, alias: options.alias, backfill });
      await withClient(
        globals(),
        options.as,
        async (client) => {
          const { runId } = await client.guard.start(input);
          console.log(`${pc.green('✔')} started ${pc.bold(runId)}: checks every ${options.every}`);
        },
        { startAs: options.as },
      );
    });
  guard
    .command('status')
    .description("the guardian's counters, last checks, decisions and retrains")
    .argument('<model>', 'the model')
    .option('--json', 'print the status as JSON')
    .action(async (model, options) => {
      await withClient(globals(), undefined, async (client) => {
        const status = await client.guard.status(model);
        console.log(options.json ? JSON.stringify(status, null, 2) : renderGuardStatus(status));
      });
    });
  guard
    .command('report')
    .description(
      "a check's report: verdict, every feature's test and shares, prediction drift, health (default: the last check)",
    )
    .argument('<model>', 'the model')
    .option('--check <n>', 'the check number')
    .option('--json', 'print the summary as JSON')
    .action(async (model, options) => {
      const check = options.check === undefined ? undefined : Number(options.check);
      if (check !== undefined && (!Number.isInteger(check) || check < 1)) {
        throw new Error(`--check must be a check number (1, 2, …), not ${options.check}`);
      }
      await withClient(globals(), undefined, async (client) => {
        const summary = await client.guard.report(model, check === undefined ? {} : { check });
        if (options.json || summary.report === null) {
          console.log(options.json ? JSON.stringify(summary, null, 2) : renderCheckSummary(summary));
          return;
        }
        // The full report is an artifact: read from this machine's artifact store (the workers' store).
        const json = await openConfiguredArtifacts(commandConfig(globals())).getJson(summary.report);
        const report = parseOrFail(GuardReport, json, `the report of ${summary.checkId} is not a guard report`, {
          uri: summary.report.uri,
        });
        console.log(renderGuardReport(report));
        if (summary.page) console.log(pc.dim(`page: ${summary.page.uri}`));
      });
    });
  const commands = {
    pause: 'pause the checks (the running retrain goes on)',
    resume: 'resume the checks after a pause',
    stop: 'stop the guardian for good',
  } as const;
  for (const [command, description] of Object.entries(commands) as [keyof typeof commands, string][]) {
    guard
      .command(command)
      .description(description)
      .argument('<model>', 'the model')
      .requiredOption('--as <name>', "who commands: one of the retrain policy's approvers (signs with your key)")
      .requiredOption('--reason <text>', 'why, for the record')
      .action(async (model, options) => {
        await withClient(globals(), options.as, async (client) => {
          const status = await client.guard[command](model, { as: options.as, reason: options.reason });
          console.log(`${pc.green('✔')} ${command} by ${options.as} accepted`);
          console.log(renderGuardStatus(status));
        });
      });
  }
}
