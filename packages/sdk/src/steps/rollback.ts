/**
 * The steps of a rollback as a command (`rollbackModel`): plan it (read what serves and what the registry records,
 * refuse what may not be rolled back, authorize the person), then act (traffic and alias together, the registry
 * records, the audit entry, the target read back). Both re-verify the run's signed request where they act.
 */
import { z } from 'zod';
import { defineStep } from '../step.js';
import { ServedDeployment } from '../schemas/serving.js';

/**
 * The `rollbackModel` run's input exactly as its starter signed it (with its `start` field): each step checks the
 * signature itself and takes the model, the version asked for and the reason from it, never from elsewhere.
 */
export const SignedRollbackRequest = z.record(z.string(), z.unknown());
/** The signed input of a `rollbackModel` run. */
export type SignedRollbackRequest = z.infer<typeof SignedRollbackRequest>;

/**
 * What a rollback will do, decided once (so every attempt of the acting step does the same): take `live` down and
 * restore `restore` — by the target's rollback when `restore` is what served before `live` (`method: 'rollback'`),
 * else by deploying that version again (`redeploy`: staged, smoke-checked, given all the traffic, promoted).
 */
export const RollbackPlan = z.object({
  model: z.string().min(1),
  serverUrl: z.url(),
  alias: z.string().min(1),
  /** What served when the rollback was planned; it is taken down. */
  live: ServedDeployment,
  /** The version restored, and its earlier deployment when the target's rollback restores it. */
  restore: z.object({ version: z.number().int().positive(), deploymentId: z.string().min(1).nullable() }),
  method: z.enum(['rollback', 'redeploy']),
  /** The verified signer of the run's start, allowed by the live version's approval policy. */
  by: z.string().min(1),
  reason: z.string().min(1).max(2000),
});
/** What a rollback will do. */
export type RollbackPlan = z.infer<typeof RollbackPlan>;

/**
 * Plans a rollback without changing anything: reads the deploy target (what serves, what served before) and the
 * registry; refuses (final `SlipwayRollbackRefused`, naming the model, versions and why) when nothing served
 * before, the version asked for is the live one, never served or has no approval on record, or a rollout's
 * candidate holds traffic; and refuses a person the live version's approval policy does not let decide.
 */
export const rollbackPlanStep = defineStep({
  name: 'slipway.rollback.plan',
  description: 'decide what a rollback restores, and whether this person may do it',
  input: z.object({ request: SignedRollbackRequest }),
  output: RollbackPlan,
  options: { startToCloseTimeout: '1m', retry: { maximumAttempts: 5 } },
});

/**
 * Acts on a rollback plan, traffic and alias together: the target serves the restored version as stable, the alias
 * names it (a keyed move: once under retry), the registry records the version taken down `rolled_back` (with who
 * and why: the audit log's `rollback` entry) and the restored one `deployed`; then the target is read back and
 * must agree with the alias before the step returns.
 */
export const rollbackStep = defineStep({
  name: 'slipway.rollback',
  description: 'restore the planned version: traffic and alias together, recorded and read back',
  input: z.object({ request: SignedRollbackRequest, plan: RollbackPlan }),
  output: z.object({
    /** The deployment taken down. */
    rolledBack: ServedDeployment,
    /** What the target serves as stable afterwards (read back). */
    live: ServedDeployment,
    /** The version the alias names afterwards. */
    aliasVersion: z.number().int().positive(),
  }),
  options: { startToCloseTimeout: '5m', retry: { maximumAttempts: 10 } },
});
