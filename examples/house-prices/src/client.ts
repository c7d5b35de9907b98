/**
 * App code: starts `trainAndPromote` with `pipeline.json` (the model is trained by the Python trainer the worker
 * configures) and follows it to the approval gate. It needs only `@slipway/sdk/client`:
 *   npm run client                          # start, wait at the gate, print the evidence
 *   npm run client -- --approve-as maria    # approve too, follow to the end, print the typed result
 *
 * Where things are, from the environment: TEMPORAL_ADDRESS (default 127.0.0.1:7233), TEMPORAL_NAMESPACE
 * (default), SLIPWAY_TASK_QUEUE (slipway), SLIPWAY_MODEL_SERVER (http://127.0.0.1:8765). Runs are started by
 * SLIPWAY_IDENTITY, else the operating-system user.
 */
import { parseArgs } from 'node:util';
import { describeEligible, trainAndPromote, type GateState, type StepProgress } from '@slipway/sdk';
import { SlipwayClient } from '@slipway/sdk/client';
import { housePricesInput } from './input.js';

const { values } = parseArgs({ options: { 'approve-as': { type: 'string' } } });
const env = process.env;
const client = await SlipwayClient.connect({
  taskQueue: env.SLIPWAY_TASK_QUEUE ?? 'slipway',
  ...(env.SLIPWAY_IDENTITY ? { user: env.SLIPWAY_IDENTITY } : {}),
});
try {
  const input = housePricesInput({ serverUrl: env.SLIPWAY_MODEL_SERVER ?? 'http://127.0.0.1:8765' });
  const { runId } = await client.start(trainAndPromote, input);
  console.log(`started ${runId}`);
  const atGate = await client.follow(runId, { until: 'gate', onStep: printStep });
  const gate = atGate.progress?.gate;
  if (gate?.status !== 'pending') {
    console.log(`run ${runId} ended before its gate opened: ${atGate.workflowTaskFailure?.message ?? atGate.status}`);
    process.exitCode = 1;
  } else {
    printEvidence(gate);
    const approver = values['approve-as'];
    if (approver) {
      await client.approve(runId, { as: approver, comment: 'approved from the example client' });
      await client.follow(runId, { until: 'end', seen: atGate.seen, onStep: printStep });
      console.log(JSON.stringify(await client.result(runId, trainAndPromote), null, 2));
    } else {
      console.log(`approve with: slipway approve ${runId} --as maria`);
    }
  }
} finally {
  await client.close();
}

/** One line per step as it changes: status, name, what it produced. */
function printStep(step: StepProgress): void {
  console.log(`  ${step.status.padEnd(9)} ${step.step.padEnd(9)} ${step.summary ?? ''}`.trimEnd());
}

/** The evidence an approver sees: the candidate's metrics (Slipway's own, on the held-out split), who may decide. */
function printEvidence(gate: GateState): void {
  console.log(`gate for ${gate.model} v${gate.version}: ${gate.status}, until ${gate.deadline}`);
  for (const [metric, value] of Object.entries(gate.evidence.candidate.metrics)) {
    console.log(`  ${metric.padEnd(12)} ${value.toFixed(4)}`);
  }
  console.log(`  evidence ${gate.evidence.digest}`);
  console.log(`  who may decide: ${describeEligible(gate)}`);
}
