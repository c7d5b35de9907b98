/**
 * A rollback's signed request, verified where it acts: the `rollbackModel` run's input exactly as its starter signed
 * it. The plan and act steps each check the start signature against the worker's own directory of people, bound
 * to the model's rollout workflow id, and take the model, the version asked for and the reason from that input only.
 */
import {
  RollbackModelInput,
  SignedStart,
  SlipwayErrorType,
  describeIssues,
  finalFailure,
  rollbackModel,
  rolloutWorkflowId,
  startInputDigest,
  type SignedRollbackRequest,
} from '@slipway/sdk';
import { directoryKeyOf, startSignatureProblem } from '../approval/signatures.js';
import type { DirectorySource } from '../ports.js';
import { currentStepIdentity } from '../util/idempotency.js';

/** A rollback request whose start signature verified: the parsed input and who signed it. */
export interface VerifiedRollbackRequest {
  input: RollbackModelInput;
  signer: string;
}

/**
 * Verifies a rollback's signed request. Final failures, before anything is read or written: an input that is not
 * a `rollbackModel` input (`SlipwayInvalidInput`, naming the fields); no directory of people on this worker
 * (`SlipwayDirectoryNotConfigured`); no signed start, a signer without a key in the directory, a signature that does
 * not verify for this input and the workflow `rollout:<model>`, a step running in another workflow, or a
 * `startedBy` that is not the signer (`SlipwayUnverifiedStart`).
 */
export async function verifyRollbackRequest(
  request: SignedRollbackRequest,
  directory: DirectorySource | undefined,
): Promise<VerifiedRollbackRequest> {
  const parsed = RollbackModelInput.safeParse(request);
  if (!parsed.success) {
    throw finalFailure(
      SlipwayErrorType.InvalidInput,
      `Refusing a rollback: its request is not a rollbackModel input (${describeIssues(parsed.error)})`,
    );
  }
  const input = parsed.data;
  const refuse = (reason: string) =>
    finalFailure(SlipwayErrorType.UnverifiedStart, `Refusing to roll back model "${input.model}": ${reason}`, {
      model: input.model,
    });
  const start = SignedStart.safeParse(request.start);
  if (!start.success) throw refuse('the request is not signed: who asks for the rollback cannot be verified');
  if (directory === undefined) {
    throw finalFailure(
      SlipwayErrorType.DirectoryNotConfigured,
      `Refusing to roll back model "${input.model}": no directory of people is configured on this worker, so who ` +
        'asks for it cannot be verified (set `directory` in slipway.config.json, or SLIPWAY_DIRECTORY)',
      { model: input.model },
    );
  }
  const workflowId = rolloutWorkflowId(input.model);
  const running = currentStepIdentity()?.workflowId;
  if (running !== undefined && running !== workflowId) {
    throw refuse(`the step runs in workflow ${running}, not in ${workflowId} where a rollback of it runs`);
  }
  const loaded = await directory.read();
  const { signer } = start.data;
  const key = directoryKeyOf(loaded.directory, signer);
  if (key === undefined) throw refuse(`it is signed by ${signer}, who has no public key in ${loaded.location}`);
  const facts = { ...start.data, pipeline: rollbackModel.name, inputDigest: startInputDigest(request) };
  const problem = startSignatureProblem(facts, workflowId, key);
  if (problem !== undefined) throw refuse(`the signed start does not verify: ${problem}`);
  if (input.startedBy !== undefined && input.startedBy !== signer) {
    throw refuse(`the request says it is started by ${JSON.stringify(input.startedBy)}, but ${signer} signed it`);
  }
  return { input, signer };
}
