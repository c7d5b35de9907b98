import { resolve } from 'node:path';
import type { Command } from '@commander-js/extra-typings';
import { DefaultLogger, Runtime, makeTelemetryFilterString } from '@temporalio/worker';
import pc from 'picocolors';
import {
  historiesFromFiles,
  historiesFromNamespace,
  replayHistories,
  type HistoryToReplay,
  type ReplayOutcome,
} from '../../replay/replay-check.js';
import { builtinWorkflowsPath } from '../../worker/create-worker.js';
import { bundleWorkflows, loadWorkflowBundle } from '../../worker/workflow-bundle.js';
import { withClient, type GlobalOptions } from '../context.js';

/** How many recent runs `--last` replays by default. */
const DEFAULT_LAST = 20;

/**
 * `slipway replay-check`: replays recorded histories (files, or the last runs of the namespace) against the workflow
 * code a worker is about to run — a bundle from `slipway bundle`, a workflows module, or this install's pipelines —
 * and exits 1 naming every run (and the event) the new code would not replay.
 */
export function registerReplayCheckCommand(program: Command, globals: () => GlobalOptions): void {
  program
    .command('replay-check')
    .description('replay recorded runs against the workflow code you are about to deploy; exit 1 on any divergence')
    .argument('[histories...]', 'JSON history files (temporal workflow show --output json); default: recent runs')
    .option('--last <n>', `the last N runs of the namespace (default ${DEFAULT_LAST} without files)`, (v) =>
      Number.parseInt(v, 10),
    )
    .option('--query <visibility query>', 'which runs, e.g. \'WorkflowType = "trainAndPromote"\'')
    .option('--workflow-bundle <file>', 'the bundle (from `slipway bundle`) to check')
    .option('--workflows <path>', "a workflows module to check (bundled here) instead of Slipway's pipelines")
    .option('--json', 'print the outcomes as JSON')
    .action(async (files, options) => {
      if (options.workflows && options.workflowBundle) {
        throw new Error('--workflows and --workflow-bundle exclude each other: check one version of the code');
      }
      const code = await codeToCheck(options);
      const histories = [
        ...(files.length > 0 ? await historiesFromFiles(files.map((f) => resolve(f))) : []),
        ...(files.length === 0 || options.last !== undefined
          ? await withClient(globals(), undefined, (client) =>
              historiesFromNamespace(client.temporal, {
                query: options.query,
                limit: options.last ?? DEFAULT_LAST,
              }),
            )
          : []),
      ];
      if (histories.length === 0) {
        throw new Error('no history to check: no file given and no run matches in the namespace');
      }
      quietReplayLogs();
      const outcomes = await replayHistories(code, histories);
      console.log(options.json ? JSON.stringify(outcomes, null, 2) : renderOutcomes(outcomes, histories));
      process.exitCode = outcomes.every((o) => o.ok) ? 0 : 1;
    });
}

async function codeToCheck(options: { workflowBundle?: string; workflows?: string }): Promise<{ code: string }> {
  if (options.workflowBundle) return { code: (await loadWorkflowBundle(options.workflowBundle)).code };
  return bundleWorkflows(options.workflows ? resolve(options.workflows) : builtinWorkflowsPath());
}

/** The replay worker logs every failed task at WARN; the outcome table says it once, better. */
function quietReplayLogs(): void {
  try {
    Runtime.install({
      logger: new DefaultLogger('ERROR'),
      telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'ERROR', other: 'ERROR' }) } },
    });
  } catch {
    // a runtime is installed already
  }
}

function renderOutcomes(outcomes: readonly ReplayOutcome[], histories: readonly HistoryToReplay[]): string {
  const lines = outcomes.map((o) => {
    if (o.ok) return `${pc.green('✔')} ${o.workflowId}  ${pc.dim(o.source)}`;
    const where = o.eventId === undefined ? '' : ` at event ${o.eventId} (${o.event})`;
    return `${pc.red('✘')} ${o.workflowId}  ${pc.dim(o.source)}\n    diverges${where}: ${o.error}`;
  });
  const failed = outcomes.filter((o) => !o.ok).length;
  const summary =
    failed === 0
      ? pc.green(`all ${histories.length} run(s) replay with this code`)
      : pc.red(`${failed} of ${histories.length} run(s) do not replay with this code: guard the change with patched()`);
  return [...lines, summary].join('\n');
}
