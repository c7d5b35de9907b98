import { describeEligible, type DriftReport, type GateState, type StepProgress } from '@slipway/sdk';
import pc from 'picocolors';

const STEP_MARK = {
  pending: pc.dim('·'),
  running: pc.cyan('▶'),
  completed: pc.green('✔'),
  failed: pc.red('✖'),
  skipped: pc.yellow('–'),
} as const satisfies Record<StepProgress['status'], string>;

/** Prints one step as `follow` reports it; the approval step, while its gate is open, says whom it waits for. */
export function printStep(step: StepProgress, gate: GateState | null): void {
  const seconds =
    step.startedAt && step.finishedAt ? (Date.parse(step.finishedAt) - Date.parse(step.startedAt)) / 1000 : undefined;
  const took = seconds === undefined ? '' : pc.dim(` (${seconds.toFixed(1)}s)`);
  const approvals = gate?.decisions.filter((d) => d.decision === 'approve').length ?? 0;
  const waiting =
    step.step === 'approval' && gate?.status === 'pending'
      ? pc.yellow(
          `waiting for approval: ${approvals}/${gate.quorum} from ${describeEligible(gate)} (until ${gate.deadline})`,
        )
      : undefined;
  console.log(`  ${STEP_MARK[step.status]} ${step.step.padEnd(10)}  ${waiting ?? step.summary ?? ''}${took}`);
}

/** Prints the evidence at the gate: the candidate's metrics next to the champion's, the digests, who may decide. */
export function printEvidence(gate: GateState): void {
  const { candidate, champion } = gate.evidence;
  console.log(`gate for ${gate.model} v${gate.version}: ${pc.cyan(gate.status)}`);
  for (const [metric, value] of Object.entries(candidate.metrics)) {
    const theirs = champion?.metrics[metric];
    console.log(
      `  ${metric.padEnd(16)} ${value.toFixed(4)}  champion ${theirs === undefined ? '—' : theirs.toFixed(4)}`,
    );
  }
  console.log(pc.dim(`evidence ${gate.evidence.digest}; dataset ${gate.evidence.datasetDigest}`));
  console.log(`who may decide: ${describeEligible(gate)}`);
}

/** Prints a section heading. */
export function section(title: string): void {
  console.log(`\n${pc.bold(title)}`);
}

/** Prints the drift report as a bar chart of PSI per feature against the threshold. */
export function printDrift(report: DriftReport): void {
  const left = report.imputedRows ? ` (${report.imputedRows} rows with imputed features left out)` : '';
  if (!report.enoughSamples) {
    console.log(`  only ${report.samples} samples served${left}; no verdict`);
    return;
  }
  const width = Math.max(...report.features.map((f) => f.feature.length));
  const scale = Math.max(report.threshold * 2, ...report.features.map((f) => f.psi));
  for (const f of report.features) {
    const bar = '█'.repeat(Math.max(1, Math.round((f.psi / scale) * 30)));
    const colour = f.drifted ? pc.red : pc.green;
    console.log(
      `  ${f.feature.padEnd(width)}  ${colour(bar)} ${f.psi.toFixed(3)}${f.drifted ? pc.red('  drift') : ''}`,
    );
  }
  console.log(
    pc.dim(
      `  threshold ${report.threshold}; ${report.samples} samples${left}; ${report.drifted ? 'drift detected: retraining is due' : 'no drift'}`,
    ),
  );
}
