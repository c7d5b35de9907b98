/**
 * What a retrain started by the model guardian (a run whose input carries `retrain`) does differently: its
 * distribution checks compare the new training data with the serving window that drifted, its evidence carries the
 * drift report, and its gate tells the configured receivers it opened (`gate_opened`). Runs without `retrain` are
 * untouched, so their histories replay as they ran.
 */
import { condition, log, workflowInfo } from '@temporalio/workflow';
import { slipwayPatched } from './patches.js';
import { SlipwayErrorType, finalFailure } from '../errors.js';
import type { EvidencePacket } from '../schemas/approval.js';
import type { DatasetRef } from '../schemas/dataset.js';
import type { RetrainTrigger } from '../schemas/guard.js';
import type { ModelVersionRef } from '../schemas/model.js';
import type { NotificationEventInput } from '../schemas/notification.js';
import { notifyStep } from '../steps/guard.js';
import type { ServingWindowReference } from '../steps/validate.js';
import type { StepInput } from '../step.js';
import type { validateStep } from '../steps/validate.js';
import type { ApprovalGate } from './approval-gate.js';
import { validateInput, type DataChecks } from './pipeline-helpers.js';
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

/**
 * The dataset of a retrain, pinned to the digest its trigger resolved (`retrain.datasetDigest`), so the validate
 * step reads exactly those bytes (other bytes fail it with `SlipwayDigestMismatch`). Other runs' datasets as given.
 *
 * @throws a final `SlipwayInvalidInput` when the dataset already pins another digest than the trigger's.
 */
export function pinnedByRetrain<D extends Pick<DatasetRef, 'uri' | 'digest'>>(
  dataset: D,
  retrain: RetrainTrigger | undefined,
): D {
  const digest = retrain?.datasetDigest;
  if (digest === undefined) return dataset;
  if (dataset.digest !== undefined && dataset.digest !== digest) {
    throw finalFailure(
      SlipwayErrorType.InvalidInput,
      `the retrain's dataset ${dataset.uri} pins ${dataset.digest}, but its trigger (retrain.datasetDigest) resolved ${digest}`,
      { uri: dataset.uri, digest: dataset.digest, datasetDigest: digest },
    );
  }
  return { ...dataset, digest };
}

/**
 * The validate step's input of a pipeline run: `validateInput`'s, and for a retrain its dataset pinned to the
 * trigger's digest and the serving window as the reference (see {@link pinnedByRetrain}, {@link servingWindowOf}).
 */
export function validateStepInput(
  input: DataChecks & { retrain?: RetrainTrigger | undefined },
): StepInput<typeof validateStep> {
  const dataset = pinnedByRetrain(input.dataset, input.retrain);
  return { ...validateInput({ ...input, dataset }), ...servingWindowOf(input.retrain) };
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
 * the deadline, the quorum, who may decide and the drift summary. A gate that never opens notifies nothing, nor
 * does a gate that notifies its own events (runs since `GatePatch.notify`, with the same id); a notification that
 * fails is logged and never fails the run.
 */
export async function notifyGateOpened(notice: GateOpenedNotice): Promise<void> {
  if (!slipwayPatched(RetrainPatch.gateNotify)) return;
  let settled = false;
  void notice.opening.then(
    () => (settled = true),
    () => (settled = true),
  );
  await condition(() => notice.gate.state() !== null || settled);
  const state = notice.gate.state();
  // A gate new enough to notify its own events has said it opened already: never twice.
  if (state === null || notice.gate.notifies()) return;
  const { name, version } = notice.version;
  const drift =
    notice.evidence.retrain?.summary ?? `retrain after ${notice.retrain.guardian} check ${notice.retrain.checkId}`;
  const event: NotificationEventInput = {
    id: `retrain:${name}:${version}:gate_opened`,
    kind: 'gate_opened',
    model: name,
    version,
    runId: workflowInfo().workflowId,
    summary:
      `${name} v${version}: approval gate opened (quorum ${state.quorum}, until ${state.deadline}); ${drift}`.slice(
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
