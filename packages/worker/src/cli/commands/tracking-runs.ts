import type { Command } from '@commander-js/extra-typings';
import type { ModelRegistry, TrackingRunRecord } from '@slipway/activities';
import { TrainRunTag } from '@slipway/activities/steps';
import { withConfiguredRegistry } from '../../config/index.js';
import { commandConfig, type GlobalOptions } from '../context.js';
import { renderRunComparison, type NamedRun } from '../render-runs.js';
import { parseModelReference } from './models.js';

/** `slipway runs compare <a> <b>`: two training runs side by side. */
export function registerTrackingRunCommands(program: Command, globals: () => GlobalOptions): void {
  const runs = program.command('runs').description('experiment-tracking runs: the params and metrics of each training');
  runs
    .command('compare')
    .description('show the params and final metrics of two training runs side by side')
    .argument('<a>', 'a model version (churn@2, churn@champion), a pipeline run id, or a tracking run id')
    .argument('<b>', 'the same, for the second run')
    .option('--json', 'print both runs as JSON')
    .action(async (a, b, options) => {
      const config = commandConfig(globals());
      const [first, second] = await withConfiguredRegistry(config, async (registry) => [
        await findTrackingRun(registry, a),
        await findTrackingRun(registry, b),
      ]);
      console.log(options.json ? JSON.stringify({ a: first, b: second }, null, 2) : renderRunComparison(first, second));
    });
}

/**
 * The tracking run a reference names: a model version (`name@version` or `name@alias`: the run that trained
 * it), a pipeline run id (the run its train step started), or a tracking run id. Fails naming what was tried.
 */
export async function findTrackingRun(registry: ModelRegistry, reference: string): Promise<NamedRun> {
  if (reference.includes('@')) return { label: reference, run: await runOfVersion(registry, reference) };
  const byWorkflow = await registry.findRuns({ tags: { [TrainRunTag.workflowId]: reference } });
  const latest = byWorkflow.at(-1);
  if (latest !== undefined) return { label: reference, run: latest };
  const run = await registry.getRun(reference).catch(() => undefined);
  if (run !== undefined) return { label: reference, run };
  throw new Error(
    `"${reference}" names no training run: it is neither a pipeline run id whose train step was tracked nor a ` +
      'tracking run id (use name@version, e.g. churn@2, for a registered model)',
  );
}

async function runOfVersion(registry: ModelRegistry, text: string): Promise<TrackingRunRecord> {
  const { name, ref } = parseModelReference(text);
  const version = await registry.resolve(name, ref);
  if (version === undefined) throw new Error(`no version "${ref}" of model "${name}" is registered`);
  if (version.trackingRunId === undefined) {
    throw new Error(`${name} v${version.version} was registered without a tracking run, so it has nothing to compare`);
  }
  const run = await registry.getRun(version.trackingRunId);
  if (run === undefined) {
    throw new Error(`${name} v${version.version} names tracking run ${version.trackingRunId}, which no longer exists`);
  }
  return run;
}
