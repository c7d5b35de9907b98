import { describeEligible, type GateListing, type GateState, type RunProgress, type StepProgress } from '@slipway/sdk';
import { DEFAULT_GATE_LIST_LIMIT, gateListCutNotice, type PendingApproval, type RunStatus } from '@slipway/sdk/client';
import Table from 'cli-table3';
import pc from 'picocolors';
import { renderEvidenceMetrics } from './render-metrics.js';
import { renderRollout } from './render-rollout.js';
import { TABLE_STYLE } from './table-style.js';

/** Table style: cli-table3 colours its header red by default; ours, and none when colour is off. */
export { TABLE_STYLE };

const STEP_MARK: Record<StepProgress['status'], string> = {
  pending: pc.dim('·'),
  running: pc.cyan('▶'),
  completed: pc.green('✔'),
  failed: pc.red('✖'),
  skipped: pc.yellow('–'),
};

/** One line per step: mark, name, duration and summary. */
export function renderSteps(progress: RunProgress): string {
  const width = Math.max(...progress.steps.map((s) => s.step.length));
  return progress.steps.map((s) => renderStep(s, width, progress.gate)).join('\n');
}

/** One step as a line; a waiting gate shows who it waits for. */
export function renderStep(step: StepProgress, width = step.step.length, gate: GateState | null = null): string {
  const seconds =
    step.startedAt && step.finishedAt ? (Date.parse(step.finishedAt) - Date.parse(step.startedAt)) / 1000 : undefined;
  const took = seconds === undefined ? '' : pc.dim(` (${seconds.toFixed(1)}s)`);
  const waiting = step.step === 'approval' && gate?.status === 'pending' ? describeWaitingGate(gate) : undefined;
  const summary = waiting ?? step.summary ?? '';
  return `  ${STEP_MARK[step.status]} ${step.step.padEnd(width)}  ${summary}${took}`;
}

/** "waiting for 1 of …" from who may decide (and the group that made them eligible), with the deadline. */
export function describeWaitingGate(gate: GateState): string {
  const approvals = gate.decisions.filter((d) => d.decision === 'approve').length;
  return pc.yellow(
    `waiting for approval: ${approvals}/${gate.quorum} from ${describeEligible(gate)} (until ${gate.deadline})`,
  );
}

/** A run's status: header, steps, and the result or failure (or why its workflow cannot go on). */
export function renderStatus(status: RunStatus): string {
  const state = colourState(status.status);
  const lines = [`${pc.bold(status.runId)}  ${status.pipeline}  ${state}  started ${status.startTime.toISOString()}`];
  const stuck = status.workflowTaskFailure;
  if (stuck) {
    lines.push(pc.red(`stuck: its workflow task fails (attempt ${stuck.attempt}): ${stuck.message}`));
    lines.push(
      `the run is still open and Temporal retries the task; fix the worker, or end the run:\n  slipway terminate ${status.runId} --reason "<why>"`,
    );
  }
  if (status.progress) lines.push(renderSteps(status.progress));
  if (status.progress?.gate) lines.push(renderEvidence(status.progress.gate));
  if (status.progress?.rollout) lines.push(renderRollout(status.progress.rollout));
  const wait = status.progress?.deployWait;
  if (wait?.phase === 'waiting') {
    const why = wait.failures.at(-1)?.reason ?? 'no reason recorded';
    lines.push(pc.yellow(`waiting for an operator: deploy failed (${why})`));
    lines.push(
      `decide with (${wait.operators.join(', ') || 'nobody'} may):
  slipway deploy retry ${status.runId} --as <name> --reason "<why>"
  slipway deploy abort ${status.runId} --as <name> --reason "<why>"`,
    );
  }
  if (status.failure) lines.push(pc.red(`failure: ${status.failure}`));
  return lines.join('\n');
}

/** The evidence packet: the task's metrics (candidate, champion, change, better or worse), then the digests. */
export function renderEvidence(gate: GateState): string {
  const { evidence } = gate;
  return [
    `gate for ${gate.model} v${gate.version}: ${colourState(gate.status)}`,
    renderEvidenceMetrics(evidence),
    pc.dim(`evidence ${evidence.digest}`),
    pc.dim(`dataset  ${evidence.datasetDigest} (${evidence.datasetUri})`),
    pc.dim(`report   ${evidence.validationReportDigest}   code ${evidence.codeVersion}`),
    ...(evidence.retrain
      ? [
          pc.yellow(evidence.retrain.summary),
          pc.dim(`drift    ${evidence.retrain.driftReport.digest} (${evidence.retrain.driftReport.uri})`),
          pc.dim(`page     ${evidence.retrain.driftPage.uri}`),
        ]
      : []),
    `who may decide: ${describeEligible(gate)}`,
    ...(gate.directoryDigest ? [pc.dim(`directory ${gate.directoryDigest}`)] : []),
    ...gate.decisions.map(
      (d) =>
        `  ${d.decision === 'approve' ? pc.green('approved') : pc.red('rejected')} by ${d.approver} at ${d.at}${d.signature ? ' (signed)' : ''}${d.comment ? `: ${d.comment}` : ''}`,
    ),
    ...gate.refused.map((r) => pc.dim(`  refused ${r.approver} (${r.via}): ${r.reason}`)),
    ...(gate.nonce ? [pc.dim(`gate nonce ${gate.nonce} (signed decisions name it)`)] : []),
  ].join('\n');
}

/**
 * Pending approvals as a table, from each gate's listing: the run, model and version, the candidate against the
 * champion (its headline), the approvals so far against the quorum and who may decide (escalation included), and
 * the deadline.
 */
export function renderPending(pending: PendingApproval[], limit = DEFAULT_GATE_LIST_LIMIT): string {
  if (pending.length === 0) return 'No promotions are waiting for approval.';
  const cut = gateListCutNotice(pending.length, limit);
  const table = new Table({
    style: TABLE_STYLE,
    head: ['run', 'model', 'candidate vs champion', 'approvals', 'who may decide', 'until'],
  });
  for (const { runId, listing } of pending) {
    table.push([
      runId,
      `${listing.model} v${listing.version}`,
      listing.headline ?? '',
      `${listing.approvals}/${listing.quorum}`,
      whoMayDecide(listing),
      listing.deadline,
    ]);
  }
  return cut === undefined ? table.toString() : `${table.toString()}\n${pc.yellow(`Note: ${cut}`)}`;
}

/** The names a listing says may decide, its groups, and its escalation (done, or still to come). */
function whoMayDecide(listing: GateListing): string {
  const names = listing.approvers.join(', ') || 'nobody';
  const groups = listing.approverGroups.length > 0 ? ` (groups ${listing.approverGroups.join(', ')})` : '';
  const escalateTo = listing.escalateTo?.join(', ');
  const escalation =
    escalateTo === undefined
      ? ''
      : listing.escalatedAt
        ? `; escalated to ${escalateTo} at ${listing.escalatedAt}`
        : `; escalates to ${escalateTo}`;
  return `${names}${groups}${escalation}`;
}

function colourState(state: string): string {
  if (/completed|approved|deployed/i.test(state)) return pc.green(state);
  if (/failed|rejected|terminated|timed_out|expired|canceled/i.test(state)) return pc.red(state);
  return pc.cyan(state);
}
