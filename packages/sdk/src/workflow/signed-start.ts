/**
 * Who started a run, proven: the run's input carries the starter's signature (`start`, added by `slipway run`
 * and `SlipwayClient.start`) over the pipeline, the workflow id, the input's digest, the digest of its approval
 * policy and the time — or, for a run a Temporal Schedule started, the schedule creator's signature (`scheduled`,
 * added by `slipway schedule create` and `SlipwayClient.schedules.create`) over the pipeline, the schedule id, the
 * input's digest, the cron and the time.
 * The workflow verifies it first thing against the signer's key from the directory of people; the verified signer
 * is the run's `startedBy`, whatever the input says.
 */
import { workflowInfo } from '@temporalio/workflow';
import { FinalErrorType, finalFailure } from '../errors.js';
import type { ApprovalProof } from '../schemas/approval.js';
import { checkScheduledRunStep } from '../steps/check-scheduled-run.js';
import type { ApproverResolution } from '../schemas/directory.js';
import {
  SIGNING_CLOCK_SKEW_MS,
  SignedStart,
  SigningDomain,
  startInputDigest,
  startPayload,
  verifyPayload,
} from '../signing/payloads.js';
import {
  SCHEDULED_BY_ATTRIBUTE,
  SignedScheduledStart,
  isScheduledRunId,
  startSignatureMismatch,
} from '../signing/scheduled-start.js';
import { approvalPolicyDigest, signedApprovalOf } from '../signing/signed-policy.js';
import { useStep } from './use-step.js';

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
 * `start`, the signer has no key in the directory, the start's `policyDigest` is not the digest of the input's
 * approval policy, the signature does not verify (another key, another pipeline, another workflow id, an altered
 * input or policy digest), it was made too long before the run started, or the input names another `startedBy`.
 */
export async function verifySignedStart(
  raw: unknown,
  pipeline: string,
  lookupKeys: (names: string[]) => Promise<ApproverResolution>,
  options: StartVerifyOptions = {},
): Promise<VerifiedStart> {
  const input = typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
  if (input.scheduled !== undefined) {
    if (input.start !== undefined) {
      throw unverified('the input carries both a signed start and a scheduled start: a run is started one way');
    }
    return verifyScheduledStart(input, pipeline, lookupKeys);
  }
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
  const policyProblem = policyDigestProblem(start.policyDigest, pipeline, input);
  if (policyProblem !== undefined) throw unverified(policyProblem);
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
  const { policyDigest } = start;
  return {
    signer: start.signer,
    pipeline,
    inputDigest,
    ...(policyDigest === undefined ? {} : { policyDigest }),
    at: start.at,
    signature: start.signature,
  };
}

/** Why a start's signed policy digest is not the digest of the input's approval policy; undefined when it is (or absent). */
function policyDigestProblem(
  signed: string | undefined,
  pipeline: string,
  input: Record<string, unknown>,
): string | undefined {
  if (signed === undefined) return undefined;
  const digest = approvalPolicyDigest(signedApprovalOf(pipeline, input));
  if (digest === signed) return undefined;
  return `the start's policyDigest ${signed} is not the digest of the input's approval policy (${digest}): the policy was changed after signing, or the start was signed for another policy`;
}

/**
 * Verifies a scheduled run's `scheduled` field: a start its schedule's creator signed when the schedule was made
 * (see `signing/scheduled-start.ts`). Refused unless Temporal started this run for that schedule (its
 * `TemporalScheduledById` is the schedule id and its workflow id `<schedule id>-<time>`), the signer has a key in
 * the directory, the signature verifies for this pipeline, schedule, cron and input, it was not signed after the
 * run started, the schedule's signed expiry has not passed, and the schedule's own record (read by the
 * `slipway.checkScheduledRun` step) lists this run. No 15-minute age limit: a schedule runs for months.
 */
async function verifyScheduledStart(
  input: Record<string, unknown>,
  pipeline: string,
  lookupKeys: (names: string[]) => Promise<ApproverResolution>,
): Promise<VerifiedStart> {
  const parsed = SignedScheduledStart.safeParse(input.scheduled);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => ['scheduled', ...i.path].join('.')).join(', ');
    throw unverified(`the run's \`scheduled\` field is not a signed scheduled start (${fields})`);
  }
  const scheduled = parsed.data;
  const { workflowId, startTime, searchAttributes } = workflowInfo();
  const scheduledBy = searchAttributes[SCHEDULED_BY_ATTRIBUTE]?.[0];
  if (scheduledBy !== scheduled.scheduleId || !isScheduledRunId(workflowId, scheduled.scheduleId)) {
    throw unverified(
      `the input carries the scheduled start of schedule ${scheduled.scheduleId}, but run ${workflowId} was not started by that schedule (${scheduledBy === undefined ? 'no schedule started it' : `started by schedule ${String(scheduledBy)}`}): a scheduled start is valid only on the runs its schedule starts`,
    );
  }
  const key = (await lookupKeys([scheduled.signer])).keys?.[scheduled.signer];
  if (!key) {
    throw unverified(
      `the scheduled start is signed by ${scheduled.signer}, who has no public key in the worker's directory of people (or the worker has no directory)`,
    );
  }
  const inputDigest = startInputDigest(input);
  const { signature, ...rest } = scheduled;
  const schedule = {
    scheduleId: rest.scheduleId,
    cron: rest.cron,
    ...(rest.expiresAt ? { expiresAt: rest.expiresAt } : {}),
  };
  const facts = { signer: rest.signer, pipeline, inputDigest, at: rest.at, signature, schedule };
  const mismatch = startSignatureMismatch(facts, workflowId, key);
  if (mismatch !== undefined) {
    throw unverified(
      `the scheduled start of ${scheduled.signer} does not verify for pipeline ${pipeline}, schedule ${scheduled.scheduleId} and this input: ${mismatch}; or the input was changed after signing`,
    );
  }
  if (Date.parse(rest.at) > startTime.getTime() + SIGNING_CLOCK_SKEW_MS) {
    throw unverified(
      `the scheduled start was signed at ${rest.at}, after the run started (${startTime.toISOString()})`,
    );
  }
  if (rest.expiresAt !== undefined && startTime.getTime() > Date.parse(rest.expiresAt)) {
    throw unverified(
      `the schedule's signed start expired at ${rest.expiresAt}, before this run started (${startTime.toISOString()})`,
    );
  }
  // Anyone who may start workflows can set the search attribute and the id: the schedule's own record says whether
  // it started this run (and a deleted schedule starts nothing).
  await useStep(checkScheduledRunStep)({ scheduleId: scheduled.scheduleId });
  if (input.startedBy !== undefined && input.startedBy !== scheduled.signer) {
    throw unverified(
      `the input says the run is started by ${JSON.stringify(input.startedBy)}, but ${scheduled.signer} signed its schedule`,
    );
  }
  return facts;
}

function unverified(reason: string) {
  return finalFailure(FinalErrorType.UnverifiedStart, `Refusing to run: ${reason}`);
}
