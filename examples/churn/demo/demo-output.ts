/**
 * The demo's own output: section headings, one line per step, the evidence an approver sees and the drift chart.
 * App code renders runs itself from what `SlipwayClient.follow()` and `status()` return; the `slipway` CLI has its
 * own rendering, which is not a library.
 */
import {
  describeEligible,
  type DriftReport,
  type GateState,
  type RolloutStepRecord,
  type StepProgress,
  type VersionReading,
} from '@slipway/sdk';
import Table from 'cli-table3';
import pc from 'picocolors';

/** The width of the step-name column: wide enough for every step of the churn pipeline. */
const STEP_WIDTH = 10;

const STEP_MARK = {
  pending: pc.dim('·'),
  running: pc.cyan('▶'),
  completed: pc.green('✔'),
  failed: pc.red('✖'),
  skipped: pc.yellow('–'),
} as const satisfies Record<StepProgress['status'], string>;

/** Prints a section heading. */
export function section(title: string): void {
  console.log(`\n${pc.bold(title)}`);
}

/**
 * Prints one step as `follow` reports it: mark, name, what it produced and how long it took. The approval step,
 * while its gate is open, says whom it waits for and until when.
 */
export function printStep(step: StepProgress, gate: GateState | null): void {
  const seconds =
    step.startedAt && step.finishedAt ? (Date.parse(step.finishedAt) - Date.parse(step.startedAt)) / 1000 : undefined;
  const took = seconds === undefined ? '' : pc.dim(` (${seconds.toFixed(1)}s)`);
  const waiting = step.step === 'approval' && gate?.status === 'pending' ? waitingFor(gate) : undefined;
  console.log(`  ${STEP_MARK[step.status]} ${step.step.padEnd(STEP_WIDTH)}  ${waiting ?? step.summary ?? ''}${took}`);
}

function waitingFor(gate: GateState): string {
  const approvals = gate.decisions.filter((d) => d.decision === 'approve').length;
  return pc.yellow(
    `waiting for approval: ${approvals}/${gate.quorum} from ${describeEligible(gate)} (until ${gate.deadline})`,
  );
}

/** Prints the evidence at the gate: the candidate's metrics next to the champion's, the digests, who may decide. */
export function printEvidence(gate: GateState): void {
  const { evidence } = gate;
  const { candidate, champion } = evidence;
  const colour = pc.isColorSupported;
  const table = new Table({
    style: { head: colour ? ['cyan'] : [], border: colour ? ['grey'] : [] },
    head: ['metric', `candidate v${candidate.version}`, champion ? `champion v${champion.version}` : 'champion'],
  });
  for (const [metric, value] of Object.entries(candidate.metrics)) {
    const theirs = champion?.metrics[metric];
    table.push([metric, value.toFixed(4), theirs === undefined ? '—' : theirs.toFixed(4)]);
  }
  console.log(`gate for ${gate.model} v${gate.version}: ${pc.cyan(gate.status)}`);
  console.log(table.toString());
  console.log(pc.dim(`evidence ${evidence.digest}`));
  console.log(pc.dim(`dataset  ${evidence.datasetDigest} (${evidence.datasetUri})`));
  console.log(pc.dim(`report   ${evidence.validationReportDigest}   code ${evidence.codeVersion}`));
  if (evidence.retrain) {
    console.log(`why: ${evidence.retrain.summary}`);
    console.log(pc.dim(`drift report page ${evidence.retrain.driftPage.uri}`));
  }
  console.log(`who may decide: ${describeEligible(gate)}`);
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

const VERDICT_COLOUR = {
  pass: pc.green,
  hold: pc.yellow,
  breach: pc.red,
  lost: pc.yellow,
  unread: pc.dim,
} as const satisfies Record<RolloutStepRecord['verdict'], (text: string) => string>;

/**
 * Prints one reading of a rollout step as the saga recorded it: the split, what the candidate and stable served
 * in the step's window (requests, errors, error rate, p99), and the verdict (with the guards that held or breached).
 */
export function printRolloutStep(record: RolloutStepRecord, steps: number): void {
  const head = `step ${record.step + 1}/${steps} ${String(record.percent).padStart(3)} %`;
  const readings = record.readings;
  const said = record.checks.filter((c) => c.outcome !== 'pass').map((c) => c.message);
  const verdict = VERDICT_COLOUR[record.verdict](record.verdict) + (said.length ? pc.dim(` (${said.join('; ')})`) : '');
  if (!readings) {
    console.log(`  ${head}  ${verdict}`);
    return;
  }
  const stable = readings.stable ? describeReading(readings.stable) : 'stable served nothing in this window';
  console.log(`  ${head}  ${describeReading(readings.candidate)}  ${pc.dim('|')}  ${stable}  → ${verdict}`);
}

function describeReading(r: VersionReading): string {
  const rate = r.errorRate === null ? '—' : `${(r.errorRate * 100).toFixed(1)} %`;
  const p99 = r.p99Ms === null ? '—' : `${r.p99Ms.toFixed(1)} ms`;
  return `v${r.version} ${r.requests} requests, ${r.errors} errors (${rate}), p99 ${p99}`;
}
