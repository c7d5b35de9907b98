// Opening the gates bench/gates lists: one `trainAndPromote` run of the churn example's data (validate → train →
// register → its gate), then `promoteVersion` runs of the version it registered, each verifying its signed start,
// gathering its evidence from the registry and waiting at its own approval gate. Every run is started signed by
// the directory's `bench` person, as `slipway run` starts one.
import { churnInput } from '@slipway/example-churn/input';
import { SlipwaySearchAttribute, promoteVersion, trainAndPromote } from '@slipway/sdk';
import { writeLocalDirectory } from '@slipway/worker';
import { setTimeout as sleep } from 'node:timers/promises';

/** The model every gate promotes. */
export const BENCH_MODEL = 'gates-bench';
/** Who starts the runs (the client's user); separation of duties keeps them from approving. */
export const STARTER = 'bench';
/** Who may decide at every gate. */
export const APPROVERS = ['maria', 'lee'];
/** Never contacted: nothing is approved, so nothing is deployed. */
const DEPLOY_URL = 'http://127.0.0.1:8765';
/** Long enough that no gate expires while the benchmark runs. */
const GATE_TIMEOUT = '72h';

/** Every run whose gate waits for a decision. */
export const PENDING_QUERY = `ExecutionStatus = "Running" AND ${SlipwaySearchAttribute.gateStatus} = "pending"`;

/** Keys for the starter, the approvers and an administrator, and the directory of people the administrator signs. */
export async function writePeople(work) {
  const keys = { keysDir: `${work}/keys` };
  const people = Object.fromEntries([[STARTER, []], ...APPROVERS.map((name) => [name, ['ml-leads']])]);
  const admin = 'bench-admin';
  const directory = await writeLocalDirectory({ directoryPath: `${work}/people.json`, admin, people, keys });
  return { keys, admin, ...directory };
}

/** The first gate: trains and registers the model the others promote. Resolves to the registered version. */
export async function openFirstGate(client, { showVersion, log }) {
  const input = churnInput({
    serverUrl: DEPLOY_URL,
    approvers: APPROVERS,
    timeout: GATE_TIMEOUT,
    modelName: BENCH_MODEL,
  });
  const { runId } = await client.start(trainAndPromote, input, { runId: 'gates-0000' });
  log(`run ${runId}: trainAndPromote of ${BENCH_MODEL} on the churn example's data (validate → train → register)`);
  const atGate = await client.follow(runId, { until: 'gate' });
  const gate = atGate.progress?.gate;
  if (gate?.status !== 'pending') {
    const stuck = atGate.workflowTaskFailure ? `: ${JSON.stringify(atGate.workflowTaskFailure)}` : '';
    const failure = atGate.status === 'FAILED' ? `: ${(await client.status(runId)).failure}` : '';
    throw new Error(`run ${runId} did not reach its gate: ${atGate.status}${stuck}${failure}`);
  }
  const record = await showVersion(`${BENCH_MODEL}@${gate.version}`);
  return { name: BENCH_MODEL, version: record.version, digest: record.artifact.digest };
}

/**
 * Starts `count` `promoteVersion` runs of `version`, `concurrency` starts in flight, then waits until `total`
 * gates are pending; reports progress on the way. Fails when a run fails instead of reaching its gate.
 */
export async function openGates(client, { version, count, total, concurrency, log }) {
  const input = {
    version,
    approval: { approvers: APPROVERS, timeout: GATE_TIMEOUT },
    deploy: { serverUrl: DEPLOY_URL },
  };
  const progress = progressReporter(client, total, log);
  let next = 1;
  let started = 1;
  const starter = async () => {
    for (let i = next++; i <= count; i = next++) {
      await client.start(promoteVersion, input, { runId: `gates-${String(i).padStart(4, '0')}` });
      started++;
      progress.tick(started);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, starter));
  await progress.untilAllPending(started);
}

/** Logs started and pending counts now and then; waits for every gate to be pending (or a run to fail). */
function progressReporter(client, total, log) {
  let lastLog = 0;
  const line = async (started) => {
    const pending = (await client.temporal.workflow.count(PENDING_QUERY)).count;
    log(`started ${started}/${total} runs, ${pending} gates pending`);
    return pending;
  };
  return {
    tick(started) {
      if (Date.now() - lastLog < 2_000 && started !== total) return;
      lastLog = Date.now();
      void line(started).catch(() => undefined);
    },
    async untilAllPending(started) {
      for (;;) {
        const failed = (await client.temporal.workflow.count('ExecutionStatus = "Failed"')).count;
        if (failed > 0)
          throw new Error(`${failed} run(s) failed instead of reaching the gate: ${await firstFailure(client)}`);
        const pending = await line(started);
        if (pending >= total) return;
        await sleep(2_000);
      }
    },
  };
}

async function firstFailure(client) {
  for await (const execution of client.temporal.workflow.list({ query: 'ExecutionStatus = "Failed"' })) {
    const status = await client.status(execution.workflowId);
    return `${execution.workflowId}: ${status.failure ?? 'no failure message'}`;
  }
  return 'none found';
}
