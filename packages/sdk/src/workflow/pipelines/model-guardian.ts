import { allHandlersFinished, condition, continueAsNew, uuid4, workflowInfo } from '@temporalio/workflow';
import { durationMs } from '../../duration.js';
import { FinalErrorType, finalFailure } from '../../errors.js';
import { initialGuardianCarry, nextGeneration } from '../../guardian/state.js';
import { modelGuardian as contract, type ModelGuardianInput } from '../../pipelines/model-guardian.js';
import type { PipelineInput, PipelineOutput } from '../../pipeline.js';
import { GuardianCarry, guardianWorkflowId } from '../../schemas/guardian.js';
import { runCheck } from '../guardian/check.js';
import { useGuardianSteps, type GuardianContext } from '../guardian/context.js';
import { createGuardianControls } from '../guardian/controls.js';
import { watchRetrain } from '../guardian/retrain.js';
import { parseWorkflowInput } from '../parse-input.js';
import { tagRunWithModel } from '../pipeline-helpers.js';
import { RunTracker } from '../run-tracker.js';
import { verifySignedStart } from '../signed-start.js';

/** The most backfill periods one guardian runs (each is a check with its report). */
export const MAX_BACKFILL_PERIODS = 500;

/**
 * The `modelGuardian` contract's workflow: one long-lived loop per model (`guardian:<model>`). Verifies its signed
 * start on its first run, resolves who may command it, runs the backfill, then checks the served rows every `every`
 * on a durable timer, decides (hysteresis, cooldown, budget, one retrain at a time) and starts the retrain as the
 * child `retrain:<model>`. It continues as new every `ticksPerRun` checks (or when Temporal suggests it), carrying
 * its state as the second argument — accepted only by a run that continues an earlier one — and the signed input
 * unchanged. A stop ends the loop and the workflow.
 */
export async function modelGuardian(
  raw: PipelineInput<typeof contract>,
  carried?: GuardianCarry,
): Promise<PipelineOutput<typeof contract>> {
  const input = parseWorkflowInput(contract.input, raw, contract.name);
  const info = workflowInfo();
  refuseForeignRuns(input.model, carried);
  const carry = carried
    ? GuardianCarry.parse(carried)
    : initialGuardianCarry({ nonce: uuid4(), since: new Date().toISOString(), starter: '' });
  const limits = {
    consecutive: input.hysteresis.consecutive,
    cooldownMs: durationMs(input.cooldown),
    perWeek: input.budget.perWeek,
  };
  const controls = createGuardianControls(carry, {
    model: input.model,
    alias: input.alias,
    every: input.every,
    cooldown: input.cooldown,
    limits,
  });
  const tracker = new RunTracker(contract.name, contract.steps, input.model);
  tagRunWithModel(input.model);
  const steps = useGuardianSteps(input);
  const ctx: GuardianContext = {
    input,
    raw: raw,
    workflowId: info.workflowId,
    controls,
    steps,
    limits,
  };
  await tracker.run(
    'start',
    () => begin(ctx, carried === undefined),
    () => `for ${carry.starter}`,
  );
  if (input.backfill && !carry.backfillDone) {
    controls.phase = 'backfill';
    await tracker.run(
      'backfill',
      () => backfill(ctx),
      () => `${carry.counters.checks} check(s)`,
    );
    carry.backfillDone = true;
  }
  controls.phase = 'watching';
  tracker.note('watch', `every ${input.every}`);
  const ended = await watch(ctx);
  if (ended === 'continue') {
    await condition(allHandlersFinished);
    return continueAsNew<typeof modelGuardian>(raw, nextGeneration(carry, Date.now()));
  }
  const stop = controls.stopped()!;
  return {
    status: 'stopped',
    model: input.model,
    stoppedBy: stop.operator,
    reason: stop.reason,
    checks: carry.counters.checks,
    outcomes: carry.outcomes,
    final: controls.status(),
  };
}

/** Refuses a run under another id than `guardian:<model>`, and carried state in a run that continues nothing. */
function refuseForeignRuns(model: string, carried: GuardianCarry | undefined): void {
  const info = workflowInfo();
  const expected = guardianWorkflowId(model);
  if (info.workflowId !== expected) {
    throw finalFailure(
      FinalErrorType.InvalidInput,
      `The guardian of ${model} runs as ${expected} (one per model), not as ${info.workflowId}: start it with \`slipway guard start\` or SlipwayClient.guard.start`,
    );
  }
  if (carried !== undefined && info.continuedFromExecutionRunId === undefined) {
    throw finalFailure(
      FinalErrorType.InvalidInput,
      'Refusing to run: carried guardian state is accepted only by a guardian run that continues an earlier one (continue-as-new), not at a start',
    );
  }
}

/**
 * The first run verifies the signed start (a later run carries the verified starter: the start's age check would
 * fail there); every run resolves who may command it from the retrain's approval policy and the directory.
 */
async function begin(ctx: GuardianContext, firstRun: boolean): Promise<void> {
  const { carry } = ctx.controls;
  const policy = ctx.input.retrain.input.approval;
  const groups = { approvers: policy.approvers ?? [], approverGroups: policy.approverGroups ?? [] };
  if (firstRun) {
    const verified = await verifySignedStart(ctx.raw, contract.name, (lookup) =>
      ctx.steps.resolveApprovers({ ...groups, lookup }),
    );
    carry.starter = verified.signer;
  }
  const resolution = await ctx.steps.resolveApprovers(groups);
  ctx.controls.setOperators(resolution.approvers);
}

/** One check per `every` period over the backfill window, oldest first. */
async function backfill(ctx: GuardianContext): Promise<void> {
  const { from, to } = ctx.input.backfill as NonNullable<ModelGuardianInput['backfill']>;
  const everyMs = durationMs(ctx.input.every);
  const start = Date.parse(from);
  const end = Date.parse(to);
  const periods = Math.ceil((end - start) / everyMs);
  if (periods > MAX_BACKFILL_PERIODS) {
    throw finalFailure(
      FinalErrorType.InvalidInput,
      `The backfill from ${from} to ${to} every ${ctx.input.every} is ${periods} checks; at most ${MAX_BACKFILL_PERIODS}: backfill a shorter window or a longer period`,
    );
  }
  for (let at = start; at < end && ctx.controls.stopped() === undefined; at += everyMs) {
    const window = { from: new Date(at).toISOString(), to: new Date(Math.min(at + everyMs, end)).toISOString() };
    await runCheck(ctx, window, true);
  }
}

/** The loop: waits for the next tick (durable timer), checks, acts; until stopped or time to continue as new. */
async function watch(ctx: GuardianContext): Promise<'stopped' | 'continue'> {
  const { controls, input } = ctx;
  const { carry } = controls;
  const everyMs = durationMs(input.every);
  const stopped = () => controls.stopped() !== undefined;
  carry.nextCheckAt ??= new Date(Date.now() + everyMs).toISOString();
  let ticks = 0;
  for (;;) {
    if (stopped()) return 'stopped';
    if (controls.paused()) {
      await condition(() => stopped() || !controls.paused());
      continue;
    }
    const due = Date.parse(carry.nextCheckAt ?? '') - Date.now();
    if (due > 0) {
      await condition(() => stopped() || controls.paused(), due);
      continue;
    }
    await watchRetrain(ctx);
    const from = carry.windowEnd ?? input.backfill?.to;
    await runCheck(ctx, { from, to: new Date().toISOString() }, false);
    carry.nextCheckAt = new Date(Date.now() + everyMs).toISOString();
    ticks += 1;
    if (!stopped() && (ticks >= input.ticksPerRun || workflowInfo().continueAsNewSuggested)) return 'continue';
  }
}
