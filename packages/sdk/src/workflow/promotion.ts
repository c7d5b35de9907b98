import { workflowInfo } from '@temporalio/workflow';
import { slipwayPatched } from './patches.js';
import { signedApprovalOf } from '../signing/signed-policy.js';
import type { ApprovalProof, GateDecision } from '../schemas/approval.js';
import type { ModelVersionRef } from '../schemas/model.js';
import type { RetrainTrigger } from '../schemas/guard.js';
import type { RolloutResult } from '../schemas/rollout-state.js';
import type { RolloutPlanInput } from '../schemas/rollout.js';
import { deployStep, evidenceStep, recordApprovalStep } from '../steps/builtin.js';
import type { StepOutput } from '../step.js';
import type { ApprovalGate, GateOutcome } from './approval-gate.js';
import { deployApproved } from './deploy-approved.js';
import type { AcceptedDeployCommand } from '../schemas/deploy-wait.js';
import { notifyGateOpened } from './retrain.js';
import type { RunTracker } from './run-tracker.js';
import type { VerifiedStart } from './signed-start.js';
import { useSteps, type StepOverrides } from './use-step.js';

/** Where the promotion changed what it schedules, as `patched()` ids: runs recorded before replay as they ran. */
export const PromotionPatch = {
  /** An approved version with a rollout plan is rolled out by the child workflow `rollout:<model>`. */
  rolloutChild: 'slipway.promotion.rollout-child',
  /**
   * A deploy that fails after its retries (deploy step or rollout child) waits for an operator's signed `retry` or
   * `abort` instead of failing the run.
   */
  deployWaits: 'slipway.promotion.deploy-waits',
} as const;

/** What `promoteWithApproval` needs. */
export interface PromotionRequest {
  tracker: RunTracker;
  gate: ApprovalGate;
  version: ModelVersionRef;
  deploy: { serverUrl: string; alias: string };
  /**
   * How to roll the approved version out. Without a plan it is deployed in one swap by the deploy step (the
   * blue/green one-step case); with one, the rollout saga runs it as the child workflow `rollout:<model>`.
   */
  rollout?: RolloutPlanInput | undefined;
  /**
   * Set for a retrain started by the model guardian: the evidence carries its drift report, and the gate notifies
   * `gate_opened` when it opens.
   */
  retrain?: RetrainTrigger | undefined;
  stepOptions?: Partial<Record<'evidence' | 'recordApproval' | 'deploy', StepOverrides>>;
}

/**
 * How a promotion ended. `deployment` is null unless the version serves; `rollout` is the rollout's result when a
 * plan was given (`rolled_back`: the rollout breached, held past its deadline, was aborted or failed, and was
 * compensated); `deploy_aborted`: the deploy failed after its retries and an operator aborted the run (nothing
 * serving changed; `deployAbort` says who and why).
 */
export interface PromotionResult {
  status: 'deployed' | 'rejected' | 'expired' | 'rolled_back' | 'deploy_aborted';
  deployAbort?: AcceptedDeployCommand;
  outcome: GateOutcome;
  evidenceDigest: string;
  decisions: GateDecision[];
  deployment: StepOutput<typeof deployStep> | null;
  rollout?: RolloutResult;
}

/**
 * The promotion half of a pipeline: gather evidence, open the gate, record the outcome in the registry, and
 * deploy only an approved version (tracked as the `approval` and `deploy` steps).
 */
export async function promoteWithApproval(request: PromotionRequest): Promise<PromotionResult> {
  const { tracker, gate, version, deploy } = request;
  const steps = useSteps(
    { evidence: evidenceStep, recordApproval: recordApprovalStep, deploy: deployStep },
    request.stepOptions,
  );
  const { outcome, evidenceDigest, proof } = await tracker.run(
    'approval',
    async () => {
      const { retrain } = request;
      const evidence = await steps.evidence({
        candidate: version,
        alias: deploy.alias,
        ...(retrain ? { retrain } : {}),
      });
      const opening = gate.open({ model: version.name, version: version.version, evidence });
      const notified = retrain ? notifyGateOpened({ gate, version, evidence, retrain, opening }) : undefined;
      const outcome = await opening;
      await notified;
      const proof = approvalProof(outcome, gate);
      await steps.recordApproval({
        version,
        outcome: outcome.status,
        decisions: outcome.decisions,
        evidenceDigest: evidence.digest,
        ...(proof ? { proof } : {}),
      });
      return { outcome, evidenceDigest: evidence.digest, proof };
    },
    ({ outcome }) => describeOutcome(outcome),
  );
  const closed = { outcome, evidenceDigest, decisions: outcome.decisions };
  if (outcome.status !== 'approved') {
    tracker.skip('deploy', `not deployed: the promotion was ${outcome.status}`);
    return { ...closed, status: outcome.status, deployment: null };
  }
  const rollout = request.rollout !== undefined && slipwayPatched(PromotionPatch.rolloutChild);
  const deployed = await deployApproved({
    tracker,
    version,
    deploy,
    proof,
    approval: gate.policy,
    ...(rollout ? { rollout: request.rollout ?? {} } : {}),
    operators: () => gate.state()?.eligible ?? [],
    waits: () => slipwayPatched(PromotionPatch.deployWaits),
    deployStep: steps.deploy,
  });
  return { ...closed, ...deployed };
}

/**
 * What the acting activities re-verify: the gate's identity, policy, evidence, directory, the verified start and
 * every decision with its signature. Undefined for a gate that opened before decisions were signed.
 */
function approvalProof(outcome: GateOutcome, gate: ApprovalGate): ApprovalProof | undefined {
  const { state } = outcome;
  if (state.nonce === undefined) return undefined;
  const start = gate.verifiedStart();
  return {
    workflowId: workflowInfo().workflowId,
    gateNonce: state.nonce,
    policy: gate.policy,
    evidence: state.evidence,
    directoryDigest: state.directoryDigest,
    start,
    ...signedInputOf(start, gate.signedInput()),
    outcome: outcome.status,
    decisions: outcome.decisions,
    refused: state.refused,
    openedAt: state.openedAt,
    deadline: state.deadline,
  };
}

/**
 * What the proof carries of the run's signed input: the approval policy alone (`signedPolicy`) when the start
 * signed its digest, else the whole input (`startInput`, a start signed before policy digests or a scheduled one).
 */
function signedInputOf(
  start: VerifiedStart | null,
  input: Record<string, unknown> | undefined,
): Pick<ApprovalProof, 'startInput' | 'signedPolicy'> {
  if (start === null || input === undefined) return {};
  if (start.policyDigest === undefined) return { startInput: input };
  return { signedPolicy: signedApprovalOf(start.pipeline, input) ?? null };
}

function describeOutcome(outcome: GateOutcome): string {
  const who = outcome.decisions.map((d) => `${d.decision} by ${d.approver}`).join(', ');
  return who ? `${outcome.status} (${who})` : outcome.status;
}
