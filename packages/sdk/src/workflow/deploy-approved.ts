/**
 * Deploying an approved version, the one way every pipeline does it (a promotion after its gate, `slipway deploy`
 * on an approval on record): in one swap by the deploy step, or, with a rollout plan, by the rollout saga as the
 * child `rollout:<model>`. Either way a deploy that fails after its retries waits for an operator's signed `retry`
 * or `abort` (see `deploy-wait.ts`), tracked as the run's `deploy` step.
 */
import { FinalErrorType, finalFailure } from '../errors.js';
import type { ApprovalPolicy, ApprovalProof } from '../schemas/approval.js';
import type { AcceptedDeployCommand } from '../schemas/deploy-wait.js';
import type { ResolvedApprover } from '../schemas/directory.js';
import type { ModelVersionRef } from '../schemas/model.js';
import type { RolloutResult } from '../schemas/rollout-state.js';
import { rolloutWorkflowId, type RolloutPlanInput } from '../schemas/rollout.js';
import type { StepOutput } from '../step.js';
import type { deployStep } from '../steps/deploy.js';
import { deployWithOperator, type DeployWaitOptions } from './deploy-wait.js';
import { runRolloutChild } from './rollout/child.js';
import type { RunTracker } from './run-tracker.js';
import { recordDeployFailureStep } from '../steps/record-deploy-failure.js';
import { useStep, type StepCall } from './use-step.js';

/** What deploying an approved version needs. */
export interface ApprovedDeploy {
  tracker: RunTracker;
  version: ModelVersionRef;
  deploy: { serverUrl: string; alias: string };
  /** The approval the acting steps re-verify (undefined for a gate that opened before decisions were signed). */
  proof: ApprovalProof | undefined;
  /** Who may command the rollout when there is no proof. */
  approval?: ApprovalPolicy | undefined;
  /** Roll it out under this plan (the child `rollout:<model>`); without it, one swap by the deploy step. */
  rollout?: RolloutPlanInput | undefined;
  /** Who may retry or abort a failed deploy: the approval policy's approvers, with their keys. */
  operators: () => readonly ResolvedApprover[];
  /** See `DeployWaitOptions.waits`: a run recorded before failed deploys waited answers false. */
  waits?: () => boolean;
  deployStep: StepCall<typeof deployStep>;
}

/** How deploying an approved version ended. */
export interface ApprovedDeployResult {
  status: 'deployed' | 'rolled_back' | 'deploy_aborted';
  deployment: StepOutput<typeof deployStep> | null;
  rollout?: RolloutResult;
  /** Who aborted the failed deploy, and why (status `deploy_aborted`). */
  deployAbort?: AcceptedDeployCommand;
}

/** Deploys the approved version in one swap, or rolls it out with a plan; see the module's comment. */
export async function deployApproved(request: ApprovedDeploy): Promise<ApprovedDeployResult> {
  if (request.rollout !== undefined) return rollOut(request, request.rollout);
  const { tracker, version, deploy, proof } = request;
  const deployed = await tracker.run(
    'deploy',
    () =>
      deployWithOperator(waitOptions(request), () =>
        request.deployStep({
          version,
          serverUrl: deploy.serverUrl,
          alias: deploy.alias,
          ...(proof ? { proof } : {}),
        }),
      ),
    (d) =>
      d.status === 'aborted'
        ? describeAbort(d.command)
        : `v${d.value.version} serving at ${d.value.serverUrl} (previous: ${d.value.previousVersion === null ? 'none' : `v${d.value.previousVersion}`})`,
  );
  if (deployed.status === 'aborted')
    return { status: 'deploy_aborted', deployment: null, deployAbort: deployed.command };
  return { status: 'deployed', deployment: deployed.value };
}

/** The deploy step's summary when an operator aborted it. */
export function describeAbort(command: AcceptedDeployCommand): string {
  return `aborted by ${command.operator}: ${command.reason} (nothing serving changed)`;
}

function waitOptions(request: ApprovedDeploy): DeployWaitOptions {
  const record = useStep(recordDeployFailureStep);
  const { version, deploy } = request;
  return {
    tracker: request.tracker,
    step: 'deploy',
    version,
    operators: request.operators,
    ...(request.waits ? { waits: request.waits } : {}),
    recordFailure: ({ reason, waitNonce }) =>
      record({ version, serverUrl: deploy.serverUrl, alias: deploy.alias, reason, waitNonce }),
  };
}

/** The deploy step as a rollout: the child `rollout:<model>`; a rollback fails the step and ends `rolled_back`. */
async function rollOut(request: ApprovedDeploy, plan: RolloutPlanInput): Promise<ApprovedDeployResult> {
  const { tracker, version, deploy, proof } = request;
  let rolledBack: RolloutResult | undefined;
  try {
    const outcome = await tracker.run(
      'deploy',
      () =>
        deployWithOperator(waitOptions(request), async () => {
          tracker.note('deploy', `rolling out in ${rolloutWorkflowId(version.name)}`);
          const result = await runRolloutChild(
            { version, deploy, plan, ...(proof ? { proof } : { approval: request.approval }) },
            (message) => tracker.note('deploy', message),
          );
          if (result.status === 'promoted') return result;
          rolledBack = result;
          throw finalFailure(FinalErrorType.RolloutAborted, `rolled back: ${result.reason ?? 'no reason given'}`);
        }),
      (r) =>
        r.status === 'aborted'
          ? describeAbort(r.command)
          : `v${r.value.version.version} promoted at ${deploy.serverUrl} by rollout (${r.value.records.length} windows read)`,
    );
    if (outcome.status === 'aborted') {
      return { status: 'deploy_aborted', deployment: null, deployAbort: outcome.command };
    }
    const rollout = outcome.value;
    const deployment = {
      deploymentId: rollout.deploymentId,
      model: version.name,
      version: version.version,
      previousVersion: rollout.previousVersion,
      serverUrl: deploy.serverUrl,
      ...(rollout.smokeScore === undefined ? {} : { smokeScore: rollout.smokeScore }),
    };
    return { status: 'deployed', deployment, rollout };
  } catch (err) {
    if (rolledBack) return { status: 'rolled_back', deployment: null, rollout: rolledBack };
    throw err;
  }
}
