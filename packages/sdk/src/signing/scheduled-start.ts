/**
 * A schedule's start, signed once when the schedule is created: the creator signs the pipeline, the schedule id,
 * the input's digest, the cron expression, the time and an optional expiry. Every run the schedule starts carries
 * it in its input's `scheduled` field, and is accepted only when Temporal started it for that schedule (its
 * `TemporalScheduledById` is the schedule id and its workflow id is the schedule id and `-<time>`). Workflow code,
 * the client and the activities share this file, so what a scheduled start binds is said once.
 */
import { z } from 'zod';
import { Digest } from '../schemas/artifact.js';
import { Signature } from './keys.js';
import { IsoTime, SigningDomain, StartPayload, startPayload, verifyPayload } from './payloads.js';

/** The search attribute Temporal sets on every run a schedule starts: the schedule's id. */
export const SCHEDULED_BY_ATTRIBUTE = 'TemporalScheduledById';

/** What the creator of a schedule signs: the scheduled start of every run it will start. */
export const ScheduledStartPayload = z.strictObject({
  signer: z.string().min(1),
  pipeline: z.string().min(1),
  scheduleId: z.string().min(1),
  inputDigest: Digest,
  cron: z.string().min(1),
  at: IsoTime,
  expiresAt: IsoTime.optional(),
});
/** A scheduled start as signed. */
export type ScheduledStartPayload = z.infer<typeof ScheduledStartPayload>;

/** The signed scheduled start a scheduled run's input carries in its `scheduled` field. */
export const SignedScheduledStart = z.strictObject({
  signer: z.string().min(1),
  scheduleId: z.string().min(1),
  cron: z.string().min(1),
  at: IsoTime,
  expiresAt: IsoTime.optional(),
  signature: Signature,
});
/** The signed scheduled start a scheduled run carries. */
export type SignedScheduledStart = z.infer<typeof SignedScheduledStart>;

/** The schedule a verified start came from (absent for a run started directly). */
export const StartSchedule = z.object({
  scheduleId: z.string().min(1),
  cron: z.string().min(1),
  expiresAt: z.string().optional(),
});
/** The schedule a verified start came from. */
export type StartSchedule = z.infer<typeof StartSchedule>;

/** The payload a scheduled-start signature covers, rebuilt from the signed start and the pipeline and input. */
export function scheduledStartPayload(
  scheduled: Omit<SignedScheduledStart, 'signature'>,
  run: { pipeline: string; inputDigest: string },
): ScheduledStartPayload {
  return {
    signer: scheduled.signer,
    pipeline: run.pipeline,
    scheduleId: scheduled.scheduleId,
    inputDigest: run.inputDigest,
    cron: scheduled.cron,
    at: scheduled.at,
    ...(scheduled.expiresAt === undefined ? {} : { expiresAt: scheduled.expiresAt }),
  };
}

/** Whether a workflow id is one Temporal gives a run of schedule `scheduleId` (`<scheduleId>-<time>`). */
export function isScheduledRunId(workflowId: string, scheduleId: string): boolean {
  return workflowId.startsWith(`${scheduleId}-`) && workflowId.length > scheduleId.length + 1;
}

/** A verified start as an approval proof carries it: direct (`schedule` absent) or by a schedule. */
export interface StartFacts {
  signer: string;
  pipeline: string;
  inputDigest: string;
  /** The digest of the run's approval policy a direct start signed (absent from older starts and scheduled ones). */
  policyDigest?: string | undefined;
  at: string;
  signature: string;
  schedule?: StartSchedule | undefined;
}

/**
 * Why a verified start's signature does not verify with `publicKey` for run `workflowId`, or undefined when it
 * does: a direct start is bound to the workflow id (and to its `policyDigest` when it has one); a scheduled start
 * to its schedule, whose runs only it names, and it signs no policy digest, so one that claims one is refused.
 */
export function startSignatureMismatch(start: StartFacts, workflowId: string, publicKey: string): string | undefined {
  if (start.schedule === undefined) {
    const payload = StartPayload.safeParse(startPayload(start, { ...start, workflowId }));
    if (payload.success && verifyPayload(SigningDomain.start, publicKey, payload.data, start.signature)) return;
    return `its signature does not verify with ${start.signer}'s public key in the directory (forged, altered, or made for another run)`;
  }
  const { scheduleId } = start.schedule;
  if (start.policyDigest !== undefined) {
    return `it claims a policy digest (${start.policyDigest}), but a scheduled start signs none: it was added after signing`;
  }
  if (!isScheduledRunId(workflowId, scheduleId)) {
    return `it was signed for schedule ${scheduleId}, but run ${workflowId} is not one of its runs`;
  }
  const payload = ScheduledStartPayload.safeParse(
    scheduledStartPayload(
      { ...start, ...start.schedule },
      { pipeline: start.pipeline, inputDigest: start.inputDigest },
    ),
  );
  if (payload.success && verifyPayload(SigningDomain.scheduledStart, publicKey, payload.data, start.signature)) return;
  return `its scheduled-start signature does not verify with ${start.signer}'s public key in the directory (forged, altered, or made for another schedule)`;
}
