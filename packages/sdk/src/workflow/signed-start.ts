/**
 * Who started a run, proven: the run's input carries the starter's signature (`start`, added by `slipway run`
 * and `SlipwayClient.start`) over the pipeline, the workflow id, the input's digest and the time. The workflow
 * verifies it first thing against the starter's key from the directory of people; the verified signer is the
 * run's `startedBy`, whatever the input says.
 */
import { workflowInfo } from '@temporalio/workflow';
import { FinalErrorType, finalFailure } from '../errors.js';
import type { ApprovalProof } from '../schemas/approval.js';
import type { ApproverResolution } from '../schemas/directory.js';
import {
  SIGNING_CLOCK_SKEW_MS,
  SignedStart,
  SigningDomain,
  startInputDigest,
  startPayload,
  verifyPayload,
} from '../signing/payloads.js';

/** A run start that verified: who signed it, for which pipeline, over which input digest, when. */
export type VerifiedStart = NonNullable<ApprovalProof['start']>;

/**
 * How a start is verified when it is not the run's own: a retrain the model guardian starts carries the guardian's
 * signed start, verified for the guardian's workflow id (`workflowId`) and without the age check (the guardian may
 * have started long before).
 */
export interface StartVerifyOptions {
  /** The workflow id the start was signed for; default this run's. */
  workflowId?: string | undefined;
  /** Whether the start must have been signed shortly before the run started; default true. */
  checkAge?: boolean | undefined;
}

/** How long before the run's start a start signature may have been made, and how far after (clock skew). */
const START_MAX_AGE_MS = 15 * 60_000;

/**
 * Verifies the run's signed start, looking up the signer's public key with `lookupKeys` (the resolveApprovers
 * step). Fails the run (non-retryable `SlipwayUnverifiedStart`, naming the reason) when the input carries no
 * `start`, the signer has no key in the directory, the signature does not verify (another key, another
 * pipeline, another workflow id, an altered input), it was made too long before the run started, or the input
 * names another `startedBy`.
 */
export async function verifySignedStart(
  raw: unknown,
  pipeline: string,
  lookupKeys: (names: string[]) => Promise<ApproverResolution>,
  options: StartVerifyOptions = {},
): Promise<VerifiedStart> {
  const input = typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
  const parsed = SignedStart.safeParse(input.start);
  if (!parsed.success) {
    throw unverified(
      input.start === undefined
        ? 'the run was started without a signature: start runs with `slipway run` or SlipwayClient.start, which sign the start with the starter’s key'
        : `the run's \`start\` field is not a signed start (${parsed.error.issues.map((i) => i.path.join('.') || 'start').join(', ')})`,
    );
  }
  const start = parsed.data;
  const key = (await lookupKeys([start.signer])).keys?.[start.signer];
  if (!key) {
    throw unverified(
      `the start is signed by ${start.signer}, who has no public key in the worker's directory of people (or the worker has no directory)`,
    );
  }
  const info = workflowInfo();
  const workflowId = options.workflowId ?? info.workflowId;
  const startTime = info.startTime;
  const inputDigest = startInputDigest(input);
  const payload = startPayload(start, { pipeline, workflowId, inputDigest });
  if (!verifyPayload(SigningDomain.start, key, payload, start.signature)) {
    throw unverified(
      `the start signature of ${start.signer} does not verify for pipeline ${pipeline}, run ${workflowId} and this input: it was made with another key, for another run, or the input was changed after signing`,
    );
  }
  const at = Date.parse(start.at);
  if (
    (options.checkAge !== false && at < startTime.getTime() - START_MAX_AGE_MS) ||
    at > startTime.getTime() + SIGNING_CLOCK_SKEW_MS
  ) {
    throw unverified(
      `the start was signed at ${start.at}, too far from when the run started (${startTime.toISOString()})`,
    );
  }
  if (input.startedBy !== undefined && input.startedBy !== start.signer) {
    throw unverified(
      `the input says the run is started by ${JSON.stringify(input.startedBy)}, but ${start.signer} signed it`,
    );
  }
  return { signer: start.signer, pipeline, inputDigest, at: start.at, signature: start.signature };
}

function unverified(reason: string) {
  return finalFailure(FinalErrorType.UnverifiedStart, `Refusing to run: ${reason}`);
}
