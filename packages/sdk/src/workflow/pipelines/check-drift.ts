import { checkDrift as contract } from '../../pipelines/check-drift.js';
import type { PipelineInput, PipelineOutput } from '../../pipeline.js';
import type { DriftReport } from '../../schemas/drift.js';
import { monitorStep } from '../../steps/monitor.js';
import { parseWorkflowInput } from '../parse-input.js';
import { tagRunWithModel } from '../pipeline-helpers.js';
import { RunTracker } from '../run-tracker.js';
import { useStep } from '../use-step.js';

/**
 * The `checkDrift` contract's workflow: one drift check of a deployed model, the PSI of the served features
 * against the training profile.
 */
export async function checkDrift(raw: PipelineInput<typeof contract>): Promise<PipelineOutput<typeof contract>> {
  const input = parseWorkflowInput(contract.input, raw, contract.name);
  const tracker = new RunTracker(contract.name, contract.steps, input.model);
  tagRunWithModel(input.model);
  const monitor = useStep(monitorStep);
  return tracker.run('monitor', () => monitor(input), describeDrift);
}

function describeDrift(r: DriftReport): string {
  const left = r.imputedRows ? ` (${r.imputedRows} rows with imputed features left out)` : '';
  if (!r.enoughSamples) return `only ${r.samples} samples served${left}; no verdict`;
  const worst = [...r.features].sort((a, b) => b.psi - a.psi)[0];
  const top = worst ? `; highest PSI ${worst.feature} ${worst.psi.toFixed(3)}` : '';
  return `${r.drifted ? 'DRIFT' : 'no drift'} over ${r.samples} samples${left}${top}`;
}
