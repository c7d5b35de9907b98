/**
 * App code: starts the churn pipeline and follows it to the approval gate. It needs only `@slipway/sdk/client`
 * and the example's contracts (no worker package):
 *   npm run client                      # in examples/churn: start, wait at the gate, print the evidence
 *   npm run client -- --approve-as maria   # approve too, follow to the end, print the typed result
 *
 * Where things are, from the environment: TEMPORAL_ADDRESS (default 127.0.0.1:7233), TEMPORAL_NAMESPACE
 * (default), SLIPWAY_TASK_QUEUE (slipway), SLIPWAY_MODEL_SERVER (http://127.0.0.1:8765). Runs are started by
 * SLIPWAY_IDENTITY, else the operating-system user; --started-by stands in for another person.
 */
import { parseArgs } from 'node:util';
import { describeEligible, type GateState, type StepProgress } from '@slipway/sdk';
import { SlipwayClient } from '@slipway/sdk/client';
import { churnInput } from './input.js';
import { churnPipeline } from './steps.js';

const { values } = parseArgs({ options: { 'approve-as': { type: 'string' }, 'started-by': { type: 'string' } } });
const env = process.env;
const user = values['started-by'] ?? env.SLIPWAY_IDENTITY;
const client = await SlipwayClient.connect({
  // address and namespace default to TEMPORAL_ADDRESS and TEMPORAL_NAMESPACE
  taskQueue: env.SLIPWAY_TASK_QUEUE ?? 'slipway',
  ...(user ? { user } : {}),
});
try {
  const input = churnInput({ serverUrl: env.SLIPWAY_MODEL_SERVER ?? 'http://127.0.0.1:8765' });
  // The contract checks the input before the run starts (InvalidInput naming each field) and types the result.
  const { runId } = await client.start(churnPipeline, input);
  console.log(`started ${runId}`);
  const atGate = await client.follow(runId, { until: 'gate', onStep: printStep });
  const gate = atGate.progress?.gate;
  if (atGate.workflowTaskFailure) {
    console.error(`run ${runId} cannot go on: ${atGate.workflowTaskFailure.message}`);
    process.exitCode = 1;
  } else if (gate?.status === 'pending') {
    printEvidence(gate);
    const approver = values['approve-as'];
    if (approver) {
      await client.approve(runId, { as: approver, comment: 'approved from the example client' });
      await client.follow(runId, { until: 'end', seen: atGate.seen, onStep: printStep });
      const result = await client.result(runId, churnPipeline);
      console.log(JSON.stringify(result, null, 2));
    } else {
      console.log(`approve with: slipway approve ${runId} --as maria`);
    }
  } else {
    console.log(`run ${runId} ended before its gate opened: ${atGate.status}`);
    process.exitCode = 1;
  }
} finally {
  await client.close();
}

/** One line per step as it changes: status, name, what it produced. */
function printStep(step: StepProgress): void {
  console.log(`  ${step.status.padEnd(9)} ${step.step.padEnd(9)} ${step.summary ?? ''}`.trimEnd());
}

/** The evidence an approver sees: candidate metrics next to the champion's, and who may decide. */
function printEvidence(gate: GateState): void {
  const { candidate, champion } = gate.evidence;
  console.log(`gate for ${gate.model} v${gate.version}: ${gate.status}, until ${gate.deadline}`);
  for (const [metric, value] of Object.entries(candidate.metrics)) {
    const theirs = champion?.metrics[metric];
    console.log(
      `  ${metric.padEnd(12)} ${value.toFixed(4)}  champion ${theirs === undefined ? '—' : theirs.toFixed(4)}`,
    );
  }
  console.log(`  evidence ${gate.evidence.digest}`);
  console.log(`  who may decide: ${describeEligible(gate)}`);
}
