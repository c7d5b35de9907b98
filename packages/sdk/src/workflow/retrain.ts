/**
 * What a retrain started by the model guardian (a run whose input carries `retrain`) does differently: its
 * distribution checks compare the new training data with the serving window that drifted, its evidence carries the
 * drift report, and its gate tells the configured receivers it opened (`gate_opened`). Runs without `retrain` are
 * untouched, so their histories replay as they ran.
 */
import { condition, log, patched, workflowInfo } from '@temporalio/workflow';
import type { EvidencePacket } from '../schemas/approval.js';
import type { RetrainTrigger } from '../schemas/guard.js';
import type { ModelVersionRef } from '../schemas/model.js';
import type { NotificationEventInput } from '../schemas/notification.js';
import { notifyStep } from '../steps/guard.js';
import type { ServingWindowReference } from '../steps/validate.js';
import type { ApprovalGate } from './approval-gate.js';
import { useStep } from './use-step.js';

/** Where a retrain changed what it schedules, as `patched()` ids. */
export const RetrainPatch = {
  /** A retrain's gate notifies `gate_opened` when it opens. */
  gateNotify: 'slipway.retrain.gate-notify',
} as const;

/** The most approver names a `gate_opened` notification lists. */
const LISTED_APPROVERS = 20;

/** The validate step's serving-window reference of a retrain (nothing for another run). */
export function servingWindowOf(retrain: RetrainTrigger | undefined): { servingWindow?: ServingWindowReference } {
  if (retrain === undefined) return {};
  return { servingWindow: { guardian: retrain.guardian, checkId: retrain.checkId, profile: retrain.servingProfile } };
}

/** What {@link notifyGateOpened} needs. */
export interface GateOpenedNotice {
  gate: ApprovalGate;
  version: ModelVersionRef;
  evidence: EvidencePacket;
  retrain: RetrainTrigger;
  /** The gate's `open()`: settles when the gate closes (or fails to open). */
  opening: Promise<unknown>;
}

/**
 * Once the gate is open, notifies `gate_opened` (id `retrain:<model>:<version>:gate_opened`, stable under retry) with
 * the deadline, the quorum, who may decide and the drift summary. A gate that never opens notifies nothing; a
 * notification that fails is logged and never fails the run.
 */
export async function notifyGateOpened(notice: GateOpenedNotice): Promise<void> {
  if (!patched(RetrainPatch.gateNotify)) return;
  let settled = false;
  void notice.opening.then(
    () => (settled = true),
    () => (settled = true),
  );
  await condition(() => notice.gate.state() !== null || settled);
  const state = notice.gate.state();
  if (state === null) return;
  const { name, version } = notice.version;
  const drift =
    notice.evidence.retrain?.summary ?? `retrain after ${notice.retrain.guardian} check ${notice.retrain.checkId}`;
  const event: NotificationEventInput = {
    id: `retrain:${name}:${version}:gate_opened`,
    kind: 'gate_opened',
    model: name,
    version,
    runId: workflowInfo().workflowId,
    summary: `${name} v${version} waits for approval (quorum ${state.quorum}, until ${state.deadline}): ${drift}`.slice(
      0,
      1000,
    ),
    at: state.openedAt,
    details: {
      evidenceDigest: notice.evidence.digest,
      deadline: state.deadline,
      quorum: state.quorum,
      approvers: state.eligible.slice(0, LISTED_APPROVERS).map((approver) => approver.name),
      guardian: notice.retrain.guardian,
      checkId: notice.retrain.checkId,
      driftReport: notice.retrain.driftReport.uri,
      driftReportDigest: notice.retrain.driftReport.digest,
    },
  };
  try {
    await useStep(notifyStep)(event);
  } catch (err) {
    log.warn('The gate_opened notification failed; the run goes on', {
      error: err instanceof Error ? err.message : String(err),
    });
  }
}
