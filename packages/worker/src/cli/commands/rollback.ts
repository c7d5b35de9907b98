import { InvalidArgumentError, type Command } from '@commander-js/extra-typings';
import type { RollbackModelResult } from '@slipway/sdk';
import pc from 'picocolors';
import { withClient, type GlobalOptions } from '../context.js';

/**
 * `slipway rollback <model> [--to <version>] --as <name> --reason <text>`: restore the version that served before
 * the live one (or `--to`) on the configured model server, with the alias, recorded in the registry and the audit
 * log. Runs the `rollbackModel` workflow as `rollout:<model>`, signed with the person's key, and waits for it.
 */
export function registerRollbackCommand(program: Command, globals: () => GlobalOptions): void {
  program
    .command('rollback')
    .description('restore the previous (or a named) version of a model: traffic and alias together, audited')
    .argument('<model>', 'the model')
    .option('--to <version>', 'the version to restore (default: the one that served before the live one)', version)
    .requiredOption('--as <name>', 'who rolls back: your name in the directory of people (signs with your key)')
    .requiredOption('--reason <text>', 'why, for the registry and the audit log')
    .option('--alias <alias>', 'the alias that moves with the traffic', 'champion')
    .action(async (model, options) => {
      await withClient(globals(), options.as, async (client, config) => {
        const result = await client.rollback(model, {
          as: options.as,
          reason: options.reason,
          serverUrl: config.modelServer.url,
          alias: options.alias,
          ...(options.to === undefined ? {} : { to: options.to }),
        });
        console.log(describeRollback(result));
      });
    });
}

/** The lines `slipway rollback` prints for a finished rollback. */
export function describeRollback(result: RollbackModelResult): string {
  const how = result.method === 'rollback' ? "the server's rollback" : 'a new deployment';
  return [
    `${pc.green('✔')} ${result.model}: v${result.rolledBack.version} rolled back by ${result.by}; v${result.live.version} serves (${how})`,
    `  ${result.alias} → v${result.aliasVersion}; reason: ${result.reason}`,
  ].join('\n');
}

function version(value: string): number {
  const n = /^v?(\d+)$/.exec(value.trim());
  const parsed = n ? Number(n[1]) : Number.NaN;
  if (!Number.isSafeInteger(parsed) || parsed < 1) {
    throw new InvalidArgumentError(`expected a version number such as 3 or v3, got ${JSON.stringify(value)}`);
  }
  return parsed;
}
