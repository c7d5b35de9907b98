/**
 * What Slipway's series read from the steps that already compute it (on the activity side, after a step
 * completes): the rollout steps move a model's rollout state and traffic share, the drift checks give the drift per
 * feature, and a recorded gate decision gives the gate's wait (from the gate's opening, which its run publishes in
 * its memo). A step whose input or output does not parse is simply not observed: metrics never fail a step.
 */
import {
  GateListing,
  SlipwayMemo,
  guardCheckStep,
  monitorStep,
  recordApprovalStep,
  rolloutCompensateStep,
  rolloutPromoteStep,
  rolloutStageStep,
  rolloutTrafficStep,
} from '@slipway/sdk';
import type { Client } from '@temporalio/client';
import type { WorkerMetrics } from './worker-metrics.js';

/** What an observation may use besides the step's input and output. */
export interface ObservationContext {
  metrics: WorkerMetrics;
  /** The run the step belongs to, and the worker's client (to read the run's memo). */
  run?: { workflowId: string; runId: string; client: () => Client };
}

type Observation = (context: ObservationContext, input: unknown, output: unknown) => void | Promise<void>;

const rolloutVersion = (input: unknown) => {
  const parsed = rolloutStageStep.input.pick({ version: true }).safeParse(input);
  return parsed.success ? parsed.data.version : undefined;
};

/** The observation of each step that has one, by step name. */
const OBSERVATIONS: Record<string, Observation> = {
  [rolloutStageStep.name]: ({ metrics }, input) => {
    const version = rolloutVersion(input);
    if (version) metrics.rolloutState(version.name, version.version, 'staged');
  },
  [rolloutTrafficStep.name]: ({ metrics }, input) => {
    const parsed = rolloutTrafficStep.input.safeParse(input);
    if (!parsed.success) return;
    const { version, mode, percent } = parsed.data;
    metrics.rolloutState(version.name, version.version, 'in_progress');
    metrics.rolloutTraffic(version.name, version.version, mode, percent);
  },
  [rolloutPromoteStep.name]: ({ metrics }, input) => {
    const version = rolloutVersion(input);
    if (version) metrics.rolloutState(version.name, version.version, 'promoted');
  },
  [rolloutCompensateStep.name]: ({ metrics }, input) => {
    const version = rolloutVersion(input);
    if (version) metrics.rolloutState(version.name, version.version, 'rolled_back');
  },
  [monitorStep.name]: ({ metrics }, _input, output) => {
    const report = monitorStep.output.safeParse(output);
    if (!report.success || !report.data.enoughSamples) return;
    const { model, features } = report.data;
    const share = features.length === 0 ? 0 : features.filter((f) => f.drifted).length / features.length;
    metrics.drift(model, features, share);
  },
  [guardCheckStep.name]: ({ metrics }, _input, output) => {
    const check = guardCheckStep.output.safeParse(output);
    if (!check.success || !check.data.enoughSamples) return;
    const { model, driftedFeatures, driftShare } = check.data;
    metrics.drift(
      model,
      driftedFeatures.map((feature) => ({ feature, drifted: true })),
      driftShare,
    );
  },
  [recordApprovalStep.name]: observeGateDecision,
};

/** Records what a completed step says about gates, rollouts and drift; never throws. */
export async function observeStep(
  step: string,
  context: ObservationContext,
  input: unknown,
  output: unknown,
): Promise<void> {
  const observe = OBSERVATIONS[step];
  if (!observe) return;
  try {
    await observe(context, input, output);
  } catch {
    // A metric is never worth a failed step.
  }
}

/** A recorded gate decision: its wait, from the opening its run published to the last decision. */
async function observeGateDecision(context: ObservationContext, input: unknown): Promise<void> {
  const parsed = recordApprovalStep.input.safeParse(input);
  if (!parsed.success || !context.run) return;
  const { version, outcome, decisions } = parsed.data;
  const { workflowId, runId, client } = context.run;
  const description = await client().workflow.getHandle(workflowId, runId).describe();
  const listing = GateListing.safeParse(description.memo?.[SlipwayMemo.gate]);
  if (!listing.success) return;
  const opened = Date.parse(listing.data.openedAt);
  const lastDecision = decisions.map((d) => Date.parse(d.at)).filter((t) => !Number.isNaN(t));
  const closed = lastDecision.length > 0 ? Math.max(...lastDecision) : Date.parse(listing.data.closedAt ?? '');
  if (Number.isNaN(opened) || Number.isNaN(closed)) return;
  context.metrics.gateDecided(version.name, outcome, (closed - opened) / 1000);
}
