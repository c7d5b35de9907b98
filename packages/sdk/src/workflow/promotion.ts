import { workflowInfo } from '@temporalio/workflow';
import type { ApprovalProof, GateDecision } from '../schemas/approval.js';
import type { ModelVersionRef } from '../schemas/model.js';
import { deployStep, evidenceStep, recordApprovalStep } from '../steps/builtin.js';
import type { StepOutput } from '../step.js';
import type { ApprovalGate, GateOutcome } from './approval-gate.js';
import type { RunTracker } from './run-tracker.js';
import { useSteps, type StepOverrides } from './use-step.js';

/** What `promoteWithApproval` needs. */
export interface PromotionRequest {
  tracker: RunTracker;
  gate: ApprovalGate;
  version: ModelVersionRef;
  deploy: { serverUrl: string; alias: string };
  stepOptions?: Partial<Record<'evidence' | 'recordApproval' | 'deploy', StepOverrides>>;
}

/** How a promotion ended. `deployment` is null unless the gate approved. */
export interface PromotionResult {
  status: 'deployed' | 'rejected' | 'expired';
  outcome: GateOutcome;
  evidenceDigest: string;
  decisions: GateDecision[];
  deployment: StepOutput<typeof deployStep> | null;
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
      const evidence = await steps.evidence({ candidate: version, alias: deploy.alias });
      const outcome = await gate.open({ model: version.name, version: version.version, evidence });
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
  const deployment = await tracker.run(
    'deploy',
    () => steps.deploy({ version, serverUrl: deploy.serverUrl, alias: deploy.alias, ...(proof ? { proof } : {}) }),
    (d) =>
      `v${d.version} serving at ${d.serverUrl} (previous: ${d.previousVersion === null ? 'none' : `v${d.previousVersion}`})`,
  );
  return { ...closed, status: 'deployed', deployment };
}

/**
 * What the acting activities re-verify: the gate's identity, policy, evidence, directory, the verified start and
 * every decision with its signature. Undefined for a gate that opened before decisions were signed.
 */
function approvalProof(outcome: GateOutcome, gate: ApprovalGate): ApprovalProof | undefined {
  const { state } = outcome;
  if (state.nonce === undefined) return undefined;
  const startInput = gate.signedInput();
  return {
    workflowId: workflowInfo().workflowId,
    gateNonce: state.nonce,
    policy: gate.policy,
    evidence: state.evidence,
    directoryDigest: state.directoryDigest,
    start: gate.verifiedStart(),
    ...(startInput ? { startInput } : {}),
    outcome: outcome.status,
    decisions: outcome.decisions,
    refused: state.refused,
    openedAt: state.openedAt,
    deadline: state.deadline,
  };
}

function describeOutcome(outcome: GateOutcome): string {
  const who = outcome.decisions.map((d) => `${d.decision} by ${d.approver}`).join(', ');
  return who ? `${outcome.status} (${who})` : outcome.status;
}
