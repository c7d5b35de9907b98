/**
 * Who started a retrain: a `trainAndPromote` run with `retrain` set is started by the model guardian of its model
 * (its parent, `guardian:<model>`), not by a person, and carries no start of its own. It carries the guardian's
 * signed start instead, verified here for the guardian's workflow id, so the run's verified starter (and the
 * approval proof's) is the person who started the guardian. Any other run with `retrain` is refused.
 */
import { workflowInfo } from '@temporalio/workflow';
import { FinalErrorType, finalFailure } from '../../errors.js';
import type { RetrainTrigger } from '../../schemas/guard.js';
import { guardianWorkflowId } from '../../schemas/guardian.js';
import { canonicalJson } from '../../signing/canonical.js';
import { GUARDIAN_PIPELINE, signedApprovalOf } from '../../signing/signed-policy.js';
import type { StartToVerify } from '../approval-gate.js';

/** The name of the guardian pipeline, whose start a retrain carries. */
export { GUARDIAN_PIPELINE };

/**
 * What the run's gate verifies as its start: the run's own signed start, or (a retrain) its guardian's. Refuses
 * (non-retryable `SlipwayInvalidInput` or `SlipwayUnverifiedStart`) a run with `retrain` whose parent is not
 * `guardian:<model>`, one that carries a start of its own or no guardian start, names another starter, or whose
 * approval policy is not the one the guardian's starter signed.
 */
export function startToVerify(
  raw: unknown,
  input: { modelName: string; retrain?: RetrainTrigger | undefined },
  pipeline: string,
): StartToVerify {
  if (input.retrain === undefined) return { input: raw, pipeline };
  const expected = guardianWorkflowId(input.modelName);
  const parent = workflowInfo().parent?.workflowId;
  if (parent !== expected) {
    const actual = parent === undefined ? 'it has no parent' : `its parent is ${parent}`;
    throw finalFailure(
      FinalErrorType.InvalidInput,
      `Refusing to run: \`retrain\` is set only by the model guardian on the retrain it starts (a child of ${expected}), but ${actual}`,
    );
  }
  const own = raw as Record<string, unknown>;
  const carried = input.retrain.guardianStart;
  if (own.start !== undefined || carried === undefined) {
    throw unverified(
      own.start !== undefined
        ? 'a retrain started by the guardian carries no start of its own'
        : 'the retrain carries no guardian start (`retrain.guardianStart`): who started it cannot be verified',
    );
  }
  if (own.startedBy !== undefined && own.startedBy !== carried.start.signer) {
    throw unverified(
      `the retrain says it is started by ${JSON.stringify(own.startedBy)}, but ${carried.start.signer} started the guardian`,
    );
  }
  const signed = signedApprovalOf(GUARDIAN_PIPELINE, carried.input);
  if (canonicalJson(signed ?? null) !== canonicalJson(own.approval ?? null)) {
    throw unverified("the retrain's approval policy is not the one in the guardian's signed `retrain.input`");
  }
  return {
    input: { ...carried.input, start: carried.start },
    pipeline: GUARDIAN_PIPELINE,
    verify: { workflowId: expected, checkAge: false },
  };
}

function unverified(reason: string) {
  return finalFailure(FinalErrorType.UnverifiedStart, `Refusing to run: ${reason}`);
}
