/**
 * The rollout saga: stage the candidate, then per step set its share of the traffic (opening the step's
 * measurement window), bake on a durable timer, read the guards; a hold reads again after another bake until the
 * deadline (then aborts: no data is never a pass), a breach compensates (or, with `onBreach: 'pause'`, waits for
 * an operator), a pass goes on; after the last step the candidate is promoted, the old version drains and is then
 * retired (see `retire.ts`). Any failure or cancellation after staging compensates: all traffic back to stable, the
 * candidate marked rolled back, the target read back.
 */
import { CancellationScope, condition, isCancellation, sleep, workflowInfo } from '@temporalio/workflow';
import { slipwayPatched } from '../patches.js';
import { durationMs } from '../../duration.js';
import { rootMessage } from '../../errors.js';
import type { ApprovalProof } from '../../schemas/approval.js';
import type { ModelVersionRef } from '../../schemas/model.js';
import type { RolloutResult } from '../../schemas/rollout-state.js';
import { resolvedSteps, type GuardReadings, type RolloutPlan, type RolloutStepPlan } from '../../schemas/rollout.js';
import type { FeatureRow } from '../../schemas/serving.js';
import type { StepOutput } from '../../step.js';
import type { rolloutReadStep, rolloutStageStep } from '../../steps/rollout.js';
import type { RunTracker } from '../run-tracker.js';
import type { RolloutControls, StopRequest } from './controls.js';
import { describeReadings, describeVerdict, rolloutWindowId } from './describe.js';
import { RolloutPatch, retireReplaced } from './retire.js';
import type { RolloutSteps } from './steps.js';

/** What a rollout needs. */
export interface RolloutRequest {
  version: ModelVersionRef;
  serverUrl: string;
  alias: string;
  plan: RolloutPlan;
  /** The approval the acting steps re-verify. */
  proof?: ApprovalProof | undefined;
  smokeFeatures?: FeatureRow | undefined;
}

/** How a step (or the rollout) ended: on to the next step, stop and promote, or stop and roll back. */
type Outcome =
  | { kind: 'next' }
  | { kind: 'again' }
  | { kind: 'promote'; reason: string }
  | { kind: 'rollback'; reason: string; readings?: GuardReadings | undefined };

interface Saga {
  request: RolloutRequest;
  controls: RolloutControls;
  steps: RolloutSteps;
  tracker: RunTracker;
  deploymentId: string;
  deadlineMs: number;
  /** The last window in which stable served at least `minRequests`. */
  baselineWindowId?: string;
}

/**
 * Runs a rollout to its end and says how it ended. A failed stage (the smoke check) fails the rollout with
 * nothing to compensate (the staged copy was discarded); anything later is compensated and returned as
 * `rolled_back` with the reason. Cancelling the workflow compensates too, then ends it as cancelled.
 */
export async function runRolloutSaga(
  request: RolloutRequest,
  controls: RolloutControls,
  steps: RolloutSteps,
  tracker: RunTracker,
): Promise<RolloutResult> {
  const { state } = controls;
  const staged = await tracker.run('stage', () => steps.stage(stageInput(request)), describeStaged);
  state.deploymentId = staged.deploymentId;
  state.stable = staged.stable;
  const saga: Saga = {
    request,
    controls,
    steps,
    tracker,
    deploymentId: staged.deploymentId,
    deadlineMs: Date.parse(state.deadline),
  };
  const first = staged.stable === null && slipwayPatched(RolloutPatch.firstVersion);
  const plannedSteps = first ? firstVersionSteps(state) : resolvedSteps(request.plan);
  let end: Outcome = { kind: 'next' };
  try {
    end = await tracker.run('rollout', () => runSteps(saga, plannedSteps), describeOutcome);
    if (first && end.kind === 'next') end = { kind: 'promote', reason: FIRST_VERSION_REASON };
  } catch (err) {
    if (isCancellation(err)) {
      await compensate(saga, staged, { kind: 'rollback', reason: 'the rollout was cancelled' });
      throw err;
    }
    end = { kind: 'rollback', reason: `the rollout failed at step ${(state.step ?? 0) + 1}: ${rootMessage(err)}` };
  }
  if (end.kind === 'rollback') return compensate(saga, staged, end);
  return promote(saga, staged, end.kind === 'promote' ? end.reason : null);
}

/** Why a first version was promoted without the plan's steps. */
const FIRST_VERSION_REASON =
  'nothing served this model before: the first version took all the traffic in one step (no stable to split ' +
  'with or to compare it to; the stage smoke-checked it)';

/**
 * The steps of a rollout with nothing stable (the model's first version): all the traffic at once, no bake and no
 * guard reading (there is nothing to split with; absolute guards would hold for want of traffic a model nobody
 * calls yet cannot get, and relative ones have nothing to compare). The state shows the one step.
 */
function firstVersionSteps(state: RolloutControls['state']): RolloutStepPlan[] {
  state.steps = [100];
  state.mode = 'split';
  return [{ index: 0, percent: 100, mode: 'split', bakeMs: 0 }];
}

async function runSteps(saga: Saga, steps: RolloutStepPlan[]): Promise<Outcome> {
  for (const step of steps) {
    const outcome = await runStep(saga, step);
    if (outcome.kind !== 'next') return outcome;
    // A promote or abort accepted while the step's last activity ran is acted on before anything else.
    const stop = saga.controls.stopRequest();
    if (stop) return fromStop(stop);
  }
  return { kind: 'next' };
}

/** One step: set the split and open a window, then judge it; a lost window (target restarted) opens a new one. */
async function runStep(saga: Saga, step: RolloutStepPlan): Promise<Outcome> {
  const { state } = saga.controls;
  state.step = step.index;
  state.mode = step.mode;
  for (let attempt = 0; ; attempt++) {
    const windowId = rolloutWindowId(workflowInfo(), step.index, attempt);
    state.phase = 'baking';
    await saga.steps.traffic({
      ...target(saga),
      deploymentId: saga.deploymentId,
      percent: step.percent,
      mode: step.mode,
      windowId,
    });
    state.percent = step.percent;
    if (step.bakeMs === 0) {
      saga.controls.record({ ...where(step, windowId), verdict: 'unread', reads: 0, readings: null, checks: [] });
      const stop = await whilePaused(saga);
      return stop ?? { kind: 'next' };
    }
    const judged = await judgeWindow(saga, step, windowId);
    if (judged.kind !== 'again') return judged;
  }
}

/** Bakes and reads one window until it passes, breaches, is lost, or the deadline passes while it holds. */
async function judgeWindow(saga: Saga, step: RolloutStepPlan, windowId: string): Promise<Outcome> {
  const { controls } = saga;
  for (let reads = 1; ; reads++) {
    await bake(saga, step.bakeMs);
    const interrupted = await whilePaused(saga);
    if (interrupted) return interrupted;
    const read = await readWindow(saga, windowId, false);
    if (read.lost) {
      controls.record({ ...where(step, windowId), verdict: 'lost', reads, readings: null, checks: [] });
      return { kind: 'again' };
    }
    if (read.verdict.verdict === 'hold') {
      controls.record({ ...where(step, windowId), ...judgement(read), reads });
      if (Date.now() < saga.deadlineMs) continue;
      const why = describeVerdict(read.verdict);
      return rollback(`step ${step.index + 1} (${step.percent} %) still held at the deadline: ${why}`, read.readings);
    }
    const final = await closeWindow(saga, windowId, read);
    controls.record({ ...where(step, windowId), ...judgement(final), reads: reads + 1 });
    if (final.verdict.verdict === 'pass') return { kind: 'next' };
    const reason = `breach at step ${step.index + 1} (${step.percent} %): ${describeVerdict(final.verdict)}`;
    if (saga.request.plan.onBreach === 'rollback') return rollback(reason, final.readings);
    controls.pause(reason);
    const stop = await whilePaused(saga);
    return stop ?? { kind: 'again' };
  }
}

type Read = StepOutput<typeof rolloutReadStep>;
type Judged = Extract<Read, { lost: false }>;

async function readWindow(saga: Saga, windowId: string, close: boolean): Promise<Read> {
  const baseline = saga.baselineWindowId;
  const read = await saga.steps.read({
    ...target(saga),
    deploymentId: saga.deploymentId,
    windowId,
    ...(baseline !== undefined && baseline !== windowId ? { baselineWindowId: baseline } : {}),
    guards: saga.request.plan.guards,
    close,
  });
  const stable = read.lost ? null : read.readings.stable;
  if (stable && stable.requests >= saga.request.plan.guards.minRequests) saga.baselineWindowId = windowId;
  return read;
}

/**
 * Freezes a window whose verdict is final and reads it one last time; the frozen reading is the step's (it saw at
 * least as much), unless the window was lost meanwhile or the last reading no longer judges (then the first does).
 */
async function closeWindow(saga: Saga, windowId: string, judged: Judged): Promise<Judged> {
  const closed = await readWindow(saga, windowId, true);
  if (closed.lost || closed.verdict.verdict === 'hold') return judged;
  return closed;
}

/** Waits the bake time (never past the deadline); an operator's pause, promote or abort ends it early. */
async function bake(saga: Saga, bakeMs: number): Promise<void> {
  const ms = Math.min(bakeMs, saga.deadlineMs - Date.now());
  if (ms <= 0) return;
  const { controls } = saga;
  await condition(() => controls.stopRequest() !== undefined || controls.paused(), ms);
}

/**
 * Acts on an operator's promote or abort, or waits out a pause (until resumed, stopped or the deadline passes).
 * Undefined when the rollout goes on.
 */
async function whilePaused(saga: Saga): Promise<Outcome | undefined> {
  const { controls } = saga;
  const { state } = controls;
  const stopped = () => controls.stopRequest() !== undefined;
  if (controls.paused() && !stopped()) {
    state.phase = 'paused';
    const remaining = saga.deadlineMs - Date.now();
    const resumed = remaining > 0 && (await condition(() => !controls.paused() || stopped(), remaining));
    state.phase = 'baking';
    if (!resumed && !stopped()) return rollback(`paused past the deadline (${state.deadline}): ${state.pausedBy}`);
  }
  const stop = controls.stopRequest();
  return stop ? fromStop(stop) : undefined;
}

function fromStop(stop: StopRequest): Outcome {
  const said = `${stop.command === 'promote' ? 'promoted' : 'aborted'} by ${stop.operator}: ${stop.reason}`;
  return stop.command === 'promote' ? { kind: 'promote', reason: said } : rollback(said);
}

function rollback(reason: string, readings?: GuardReadings): Outcome {
  return { kind: 'rollback', reason, readings };
}

async function promote(
  saga: Saga,
  staged: StepOutput<typeof rolloutStageStep>,
  reason: string | null,
): Promise<RolloutResult> {
  const { state } = saga.controls;
  state.phase = 'promoting';
  const promoted = await saga.tracker.run(
    'promote',
    () =>
      CancellationScope.nonCancellable(() =>
        saga.steps.promote({
          ...target(saga),
          deploymentId: saga.deploymentId,
          alias: saga.request.alias,
          ...(saga.request.proof ? { proof: saga.request.proof } : {}),
        }),
      ),
    (p) => `v${saga.request.version.version} is stable${p.previousVersion ? ` (replaced v${p.previousVersion})` : ''}`,
  );
  state.percent = 100;
  await drain(saga);
  const retirement = await retireReplaced({
    ...target(saga),
    alias: saga.request.alias,
    deploymentId: saga.deploymentId,
    replaced: staged.stable,
    drain: saga.request.plan.drain,
    steps: saga.steps,
    tracker: saga.tracker,
  });
  state.phase = 'promoted';
  const at = new Date().toISOString();
  state.outcome = { status: 'promoted', reason, live: promoted.live, at, ...(retirement ? { retirement } : {}) };
  const done = result(saga, staged, 'promoted', reason, promoted.previousVersion, promoted.live);
  return retirement ? { ...done, retirement } : done;
}

/** Keeps the rollout open for the drain period after a promotion; a cancellation only cuts it short. */
async function drain(saga: Saga): Promise<void> {
  const ms = durationMs(saga.request.plan.drain);
  if (ms <= 0) return;
  saga.controls.state.phase = 'draining';
  try {
    await sleep(ms);
  } catch (err) {
    if (!isCancellation(err)) throw err;
  }
}

async function compensate(
  saga: Saga,
  staged: StepOutput<typeof rolloutStageStep>,
  end: Extract<Outcome, { kind: 'rollback' }>,
): Promise<RolloutResult> {
  const { state } = saga.controls;
  state.phase = 'compensating';
  saga.tracker.skip('promote', `not promoted: ${end.reason}`);
  const out = await saga.tracker.run(
    'compensate',
    () =>
      CancellationScope.nonCancellable(() =>
        saga.steps.compensate({
          ...target(saga),
          deploymentId: saga.deploymentId,
          alias: saga.request.alias,
          reason: end.reason.slice(0, 4000),
          ...(state.step === null ? {} : { step: state.step }),
          ...(end.readings ? { readings: end.readings } : {}),
        }),
      ),
    (c) => `traffic back on ${c.live ? `v${c.live.version}` : 'nothing'}; alias on ${c.aliasVersion ?? 'nothing'}`,
  );
  state.percent = 0;
  state.phase = 'rolled_back';
  state.outcome = { status: 'rolled_back', reason: end.reason, live: out.live, at: new Date().toISOString() };
  return result(saga, staged, 'rolled_back', end.reason, staged.stable?.version ?? null, out.live);
}

function result(
  saga: Saga,
  staged: StepOutput<typeof rolloutStageStep>,
  status: RolloutResult['status'],
  reason: string | null,
  previousVersion: number | null,
  live: RolloutResult['live'],
): RolloutResult {
  const { state } = saga.controls;
  const score = staged.smokePrediction.score;
  return {
    status,
    model: saga.request.version.name,
    version: saga.request.version,
    deploymentId: saga.deploymentId,
    previousVersion,
    reason,
    step: state.step,
    live,
    ...(score === undefined ? {} : { smokeScore: score }),
    records: state.records.map((r) => ({ ...r })),
  };
}

function target(saga: Saga) {
  return { version: saga.request.version, serverUrl: saga.request.serverUrl };
}

function stageInput(request: RolloutRequest) {
  return {
    version: request.version,
    serverUrl: request.serverUrl,
    alias: request.alias,
    ...(request.smokeFeatures ? { smokeFeatures: request.smokeFeatures } : {}),
    ...(request.proof ? { proof: request.proof } : {}),
  };
}

function where(step: RolloutStepPlan, windowId: string) {
  return { step: step.index, percent: step.percent, mode: step.mode, windowId };
}

function judgement(read: Judged) {
  return { verdict: read.verdict.verdict, readings: read.readings, checks: read.verdict.checks };
}

function describeStaged(s: StepOutput<typeof rolloutStageStep>): string {
  return `${s.deploymentId} staged and smoke-checked; stable: ${s.stable ? `v${s.stable.version}` : 'none'}`;
}

function describeOutcome(o: Outcome): string {
  if (o.kind === 'rollback') return `stopped: ${o.reason}${o.readings ? ` (${describeReadings(o.readings)})` : ''}`;
  if (o.kind === 'promote') return o.reason;
  return 'every step passed';
}
