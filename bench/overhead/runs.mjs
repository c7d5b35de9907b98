// One run of each side, as a user drives it: start it, wait for its gate to open, decide at once, read the result.
// Slipway: `SlipwayClient.start` (the input checked and the start signed by the starter), `SlipwayClient.approve`
// (the gate read, the decision signed by the approver, sent as the gate's Update), `SlipwayClient.result` with the
// pipeline's contract. The baseline: `workflow.start`, a plain Update, `handle.result()`. The baseline with
// Slipway's records (`records`): the same, with the model's search attribute set at the start, as Slipway's client
// sets it, and the gate read (`describe`) before the decision, as Slipway's approver reads it.
import { setTimeout as sleep } from 'node:timers/promises';
import { trainAndPromote } from '@slipway/sdk';
import { APPROVER, QUEUES } from './setup.mjs';

/**
 * The sides both benchmarks compare, in the order they are reported: Slipway, the baseline, and the baseline making
 * Slipway's records.
 */
export const SIDES = ['slipway', 'raw', 'records'];

/** The order of the sides in round `round`: rotated by one each round, so that each side goes first as often. */
export function orderOf(round) {
  return SIDES.map((_, i) => SIDES[(i + round) % SIDES.length]);
}

/** The baseline's workflow type and its search attributes at the start, per baseline side. */
const BASELINES = {
  raw: { workflowType: 'rawTrainAndPromote', searchAttributes: undefined },
  records: {
    workflowType: 'rawTrainAndPromoteWithRecords',
    searchAttributes: (input) => ({ SlipwayModel: [input.modelName] }),
  },
};

/** Starts a run of `side` with workflow id `id`; resolves once it started. */
export async function startRun(bench, side, id) {
  if (side === 'slipway') {
    await bench.slipway.start(trainAndPromote, bench.input, { runId: id });
    return;
  }
  const { workflowType, searchAttributes } = BASELINES[side];
  await bench.temporal.workflow.start(workflowType, {
    taskQueue: QUEUES.raw,
    workflowId: id,
    args: [bench.input],
    ...(searchAttributes ? { searchAttributes: searchAttributes(bench.input) } : {}),
  });
}

/** Sends the approver's decision to the run's open gate; resolves once the gate answered. */
export async function decide(bench, side, id) {
  if (side === 'slipway') {
    await bench.slipway.approve(id, { as: APPROVER });
    return;
  }
  const handle = bench.temporal.workflow.getHandle(id);
  if (side === 'records') await handle.describe();
  await handle.executeUpdate('decide', { args: [{ decision: 'approve', approver: APPROVER }] });
}

/** Waits for the run's result; fails naming the run unless it deployed. */
export async function finish(bench, side, id) {
  const result =
    side === 'slipway'
      ? await bench.slipway.result(id, trainAndPromote)
      : await bench.temporal.workflow.getHandle(id).result();
  if (result.status !== 'deployed') throw new Error(`run ${id} ended ${result.status}, not deployed`);
}

/** A whole run: start, gate opened, approved at once, deployed. */
export async function wholeRun(bench, side, id) {
  await startRun(bench, side, id);
  await untilGateOpens(bench, id);
  await decide(bench, side, id);
  await finish(bench, side, id);
}

/** How long a run may take to reach its gate before the benchmark looks at why (no-op steps take milliseconds). */
const GATE_WAIT_MS = 60_000;

/** Resolves when the run's gate is open; fails with the run's status when it has not opened within a minute. */
export async function untilGateOpens(bench, id) {
  const timeout = new AbortController();
  const late = sleep(GATE_WAIT_MS, 'late', { signal: timeout.signal }).catch(() => 'cancelled');
  const opened = await Promise.race([bench.noop.whenGateOpens(id), late]);
  timeout.abort();
  if (opened !== 'late') return opened;
  const status = await bench.slipway.status(id).catch((error) => ({ status: String(error) }));
  const why = status.failure ?? (status.workflowTaskFailure ? JSON.stringify(status.workflowTaskFailure) : '');
  throw new Error(`run ${id} did not open its gate within ${GATE_WAIT_MS / 1000} s: ${status.status} ${why}`);
}
