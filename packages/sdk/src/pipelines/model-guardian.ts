import { z } from 'zod';
import { DurationString } from '../schemas/approval.js';
import { DatasetTemplate, DriftPolicy, MonitorSource } from '../schemas/guard.js';
import { GuardianStatus, RetrainOutcome } from '../schemas/guardian.js';
import { ModelName } from '../schemas/model.js';
import { definePipeline } from '../pipeline.js';
import { SignedStart } from '../signing/payloads.js';
import { stepOptionsFor, TrainAndPromoteInput } from './train-and-promote.js';

/** The steps of `modelGuardian`, as its progress shows them. */
export const MODEL_GUARDIAN_STEPS = ['start', 'backfill', 'watch'] as const;

/**
 * What a retrain runs: a `trainAndPromote` input without its start (the guardian's verified starter starts the
 * retrain) and, with a dataset template, without its dataset (the template resolves to the newest one, pinned by
 * digest, when the retrain starts).
 */
export const GuardianRetrain = z
  .strictObject({
    input: TrainAndPromoteInput.omit({ start: true, startedBy: true, retrain: true }).partial({ dataset: true }),
    dataset: DatasetTemplate.optional(),
  })
  .refine((r) => r.input.dataset !== undefined || r.dataset !== undefined, {
    message: 'a retrain needs its dataset: `retrain.input.dataset`, or a template in `retrain.dataset`',
    path: ['dataset'],
  });
/** What a retrain runs. */
export type GuardianRetrain = z.infer<typeof GuardianRetrain>;

/**
 * Input of the `modelGuardian` pipeline: which model (and alias) to watch, how often, where its served rows come
 * from, how a check judges drift, when to act (hysteresis, cooldown, budget), what a retrain runs, an optional
 * backfill over a past window, and the signed start.
 */
export const ModelGuardianInput = z.object({
  model: ModelName,
  alias: z.string().min(1).default('champion'),
  /** How often to check (a durable timer): `30s`, `1h`, `1d`. */
  every: DurationString,
  source: MonitorSource,
  policy: DriftPolicy.default(DriftPolicy.parse({})),
  /** Drifted checks in a row before a retrain (a check with too few samples neither advances nor resets the count). */
  hysteresis: z.strictObject({ consecutive: z.number().int().min(1).default(3) }).default({ consecutive: 3 }),
  /** After a retrain starts, no other one starts for this long. */
  cooldown: DurationString.default('24h'),
  /** At most this many retrains start in any 7 days (0: never retrain, only watch). */
  budget: z.strictObject({ perWeek: z.number().int().min(0).default(2) }).default({ perWeek: 2 }),
  retrain: GuardianRetrain,
  /**
   * Before watching, one check per `every` period over `[from, to)` (one report each). Backfill checks are
   * reported, never counted, and never retrain: they describe the past, and a retrain acts on the present.
   */
  backfill: z
    .strictObject({ from: z.iso.datetime(), to: z.iso.datetime() })
    .refine((b) => Date.parse(b.from) < Date.parse(b.to), { message: 'backfill.from must be before backfill.to' })
    .optional(),
  /** Checks per run before the guardian continues as new (its history stays small); Temporal may suggest it earlier. */
  ticksPerRun: z.number().int().min(1).max(10_000).default(500),
  /** Who started the guardian (set by the client); the verified signer of `start` is who it acts for. */
  startedBy: z.string().min(1).optional(),
  /** The starter's signature of the guardian's start, verified on its first run. */
  start: SignedStart.optional(),
  /** Per-step activity option overrides. */
  stepOptions: stepOptionsFor([
    'guardCheck',
    'resolveDataset',
    'notify',
    'guardRecord',
    'retrainStatus',
    'resolveApprovers',
  ]),
});
/** Input of `modelGuardian` after defaults. */
export type ModelGuardianInput = z.infer<typeof ModelGuardianInput>;
/** Input of `modelGuardian` as callers write it. */
export type ModelGuardianInputRaw = z.input<typeof ModelGuardianInput>;

/** What `modelGuardian` returns when it is stopped: its last status, and who stopped it and why. */
export const ModelGuardianResult = z.object({
  status: z.literal('stopped'),
  model: z.string(),
  stoppedBy: z.string(),
  reason: z.string(),
  checks: z.number().int(),
  outcomes: z.array(RetrainOutcome),
  final: GuardianStatus,
});
/** What `modelGuardian` returns. */
export type ModelGuardianResult = z.infer<typeof ModelGuardianResult>;

/**
 * The model guardian: one long-lived workflow per model (`guardian:<model>`) that checks the served rows for drift
 * every `every` on a durable timer, decides with hysteresis, a cooldown and a weekly budget, and starts one retrain
 * at a time (`retrain:<model>`, a `trainAndPromote` whose gate has the drift report as evidence). It continues as
 * new carrying its counters, answers a status Query, and takes signed pause, resume and stop commands. Start it with
 * `slipway guard start` or `SlipwayClient.guard.start`.
 */
export const modelGuardian = definePipeline({
  name: 'modelGuardian',
  description: 'watch a model for drift, retrain it, re-approve it, roll it out',
  input: ModelGuardianInput,
  output: ModelGuardianResult,
  steps: MODEL_GUARDIAN_STEPS,
});
