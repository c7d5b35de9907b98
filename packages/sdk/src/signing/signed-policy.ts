/**
 * The approval policy a run's start signs: where it sits in a pipeline's input, and the digest a start signature
 * covers (`StartPayload.policyDigest`). The client signs it, the workflow checks it against the input, and the
 * activities check the policy an approval proof carries against it: said once, here.
 */
import { digestOfValue } from './canonical.js';

/** The name of the guardian pipeline: its signed input carries its retrains' policy in `retrain.input.approval`. */
export const GUARDIAN_PIPELINE = 'modelGuardian';

/**
 * The raw approval policy in a run's signed input (its `approval`), or, for the model guardian, the policy of the
 * retrains it starts (`retrain.input.approval`); undefined when the input has none. Not parsed: what was signed.
 */
export function signedApprovalOf(pipeline: string, input: Record<string, unknown>): unknown {
  if (pipeline !== GUARDIAN_PIPELINE) return input['approval'];
  const retrain = input['retrain'];
  if (typeof retrain !== 'object' || retrain === null) return undefined;
  const retrainInput = (retrain as { input?: unknown }).input;
  if (typeof retrainInput !== 'object' || retrainInput === null) return undefined;
  return (retrainInput as Record<string, unknown>)['approval'];
}

/**
 * The digest a start signature covers for the run's approval policy: sha256 of the canonical JSON of
 * `{ approval: value }`, with `null` for no policy (see {@link signedApprovalOf}).
 */
export function approvalPolicyDigest(value: unknown): `sha256:${string}` {
  return digestOfValue({ approval: value ?? null });
}
