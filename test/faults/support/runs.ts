/**
 * Runs of the built-in `trainAndPromote` pipeline on the churn example, as the fault scenarios drive them: short
 * activity timeouts (a step whose worker died is retried within seconds, not after the default timeout), approval
 * that keeps trying through an outage, and a result that counts as lost when it does not come.
 */
import { rootMessage, type TrainAndPromoteInputRaw, type TrainAndPromoteResult } from '@slipway/sdk';
import type { SlipwayClient } from '@slipway/sdk/client';
import { churnInput, type ChurnInputOptions } from '../../../examples/churn/src/input.js';
import { eventually } from '../../support/waits.js';

/**
 * Per-step options: a step whose worker died is retried after at most this timeout, and a step keeps retrying
 * through a backend outage of a few minutes (the contracts' own policies give up after 5 attempts of train or
 * validate: about 15 s of outage with Temporal's default backoff).
 */
const FAST_RETRY = {
  startToCloseTimeout: '20s',
  retry: { initialInterval: '200ms', maximumInterval: '3s', maximumAttempts: 100 },
};

/** The churn pipeline with timeouts short enough that a killed worker's steps are retried within seconds. */
export function faultRunInput(options: ChurnInputOptions): TrainAndPromoteInputRaw {
  return {
    ...churnInput(options),
    stepOptions: {
      validate: FAST_RETRY,
      train: { ...FAST_RETRY, startToCloseTimeout: '60s', heartbeatTimeout: '3s' },
      register: FAST_RETRY,
      evidence: FAST_RETRY,
      recordApproval: FAST_RETRY,
      deploy: FAST_RETRY,
      resolveApprovers: FAST_RETRY,
    },
  };
}

/**
 * Approves a run as `maria` once its gate is open, trying again while the worker or the server is away (an Update
 * nobody accepted is sent again; a gate already decided ends the loop).
 */
export async function approveWhenOpen(client: SlipwayClient, runId: string, timeoutMs = 240_000): Promise<void> {
  await eventually(
    `the approval of ${runId}`,
    async () => {
      const gate = await client.gate(runId).catch(() => undefined);
      if (gate === undefined) return undefined;
      if (gate.status === 'pending') await client.approve(runId, { as: 'maria', comment: 'fault suite' });
      return true;
    },
    timeoutMs,
  );
}

/**
 * The run's result, or undefined when it does not come within `timeoutMs` (a lost run: the error then says where the
 * run stands, see {@link whereItStands}) or the run failed.
 */
export async function resultWithin(
  client: SlipwayClient,
  runId: string,
  timeoutMs = 300_000,
): Promise<{ result?: TrainAndPromoteResult; error?: string }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((done) => {
    timer = setTimeout(() => done('timeout'), timeoutMs);
  });
  try {
    const outcome = await Promise.race([
      client.result<TrainAndPromoteResult>(runId).then(
        (result) => ({ result }),
        (err: unknown) => ({ error: rootMessage(err) }),
      ),
      timeout,
    ]);
    if (outcome !== 'timeout') return outcome;
    const stands = await whereItStands(client, runId).catch((err: unknown) => `unknown (${rootMessage(err)})`);
    return { error: `no result within ${timeoutMs / 1000} s; the run: ${stands}` };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Where a run that gave no result stands, from Temporal alone (no worker needed), so a lost run can be told apart:
 * its status, its pending activities with their attempts and last failures, and its last workflow task failure.
 */
export async function whereItStands(client: SlipwayClient, runId: string): Promise<string> {
  const handle = client.temporal.workflow.getHandle(runId);
  const description = await handle.describe();
  const pending = (description.raw.pendingActivities ?? []).map(
    (a) =>
      `${a.activityType?.name ?? '?'} (attempt ${a.attempt ?? '?'}${a.lastFailure ? `: ${a.lastFailure.message}` : ''})`,
  );
  const events = (await handle.fetchHistory()).events ?? [];
  const lastTaskFailure = events.findLast(
    (e) => e.workflowTaskFailedEventAttributes,
  )?.workflowTaskFailedEventAttributes;
  const lastEvent = events.at(-1);
  const lastKind = lastEvent ? Object.keys(lastEvent).find((k) => k.endsWith('EventAttributes')) : undefined;
  return [
    description.status.name.toLowerCase(),
    `${events.length} events, the last ${lastKind?.replace(/EventAttributes$/, '') ?? '?'}`,
    pending.length > 0 ? `pending ${pending.join(', ')}` : 'no activity pending',
    ...(lastTaskFailure
      ? [`last workflow task failure: ${lastTaskFailure.failure?.message ?? lastTaskFailure.cause}`]
      : []),
  ].join('; ');
}

/** What a run is doing now, from Temporal (no worker needed): its pending activities, or `waiting`. */
export async function inFlight(client: SlipwayClient, runId: string): Promise<string> {
  const description = await client.temporal.workflow.getHandle(runId).describe();
  const pending = (description.raw.pendingActivities ?? []).map((a) => a.activityType?.name ?? '?');
  if (description.status.name !== 'RUNNING') return description.status.name.toLowerCase();
  return pending.length > 0 ? pending.join('+') : 'between steps or at the gate';
}

/** Waits `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}

/**
 * A run with no fault, started, approved and awaited: the champion later runs replace, and how long a run takes
 * here (fault points are drawn within it). Throws when it does not deploy.
 */
export async function faultFreeRun(client: SlipwayClient, input: TrainAndPromoteInputRaw): Promise<FaultFreeRun> {
  const started = Date.now();
  const { runId } = await client.start('trainAndPromote', input);
  await approveWhenOpen(client, runId);
  const approvedMs = Date.now() - started;
  const { result, error } = await resultWithin(client, runId);
  if (result?.status !== 'deployed')
    throw new Error(`the fault-free run ${runId} did not deploy: ${error ?? result?.status}`);
  return { runId, ms: Date.now() - started, approvedMs };
}

/** What {@link faultFreeRun} gives. */
export interface FaultFreeRun {
  runId: string;
  /** How long it took, start to result. */
  ms: number;
  /** When its approval was sent, from its start. */
  approvedMs: number;
}
