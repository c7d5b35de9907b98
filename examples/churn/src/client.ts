/**
 * Starts the churn pipeline and follows it to the approval gate:
 *   npm run client -w examples/churn                   # start, wait at the gate, print the evidence
 *   npm run client -w examples/churn -- --approve-as maria
 */
import { parseArgs } from 'node:util';
import { SlipwayClient } from '@slipway/sdk/client';
import { followRun, loadConfig, renderEvidence, renderStep } from '@slipway/worker';
import { churnInput } from './input.js';

const { values } = parseArgs({ options: { 'approve-as': { type: 'string' }, 'started-by': { type: 'string' } } });
const config = loadConfig();
const client = await SlipwayClient.connect({
  address: config.temporal.address,
  namespace: config.temporal.namespace,
  taskQueue: config.taskQueue,
  // Runs are started by the configured identity (or the OS user); --started-by stands in for another person.
  ...(values['started-by'] ? { user: values['started-by'] } : config.identity ? { user: config.identity } : {}),
});
try {
  const input = churnInput({ serverUrl: config.modelServer.url });
  const { runId } = await client.start('churnPipeline', input);
  console.log(`started ${runId}`);
  const seen = await followRun(client, runId, {
    until: 'gate',
    onStep: (step, progress) => console.log(renderStep(step, 10, progress.gate)),
  });
  const gate = seen.progress?.gate;
  if (gate?.status === 'pending') {
    console.log(renderEvidence(gate));
    const approver = values['approve-as'];
    if (approver) {
      await client.approve(runId, { as: approver, comment: 'approved from the example client' });
      await followRun(client, runId, {
        until: 'end',
        seen: seen.seen,
        onStep: (step, progress) => console.log(renderStep(step, 10, progress.gate)),
      });
      console.log(JSON.stringify(await client.result(runId), null, 2));
    } else {
      console.log(`approve with: slipway approve ${runId} --as maria`);
    }
  }
} finally {
  await client.close();
}
