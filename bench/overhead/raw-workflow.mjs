// The baseline of bench/overhead and bench/approve: `trainAndPromote`'s shape hand-written with the Temporal SDK
// alone — the same activities in the same order (look up the starter's key, validate, train, register, gather
// evidence, resolve the approvers, notify the gate opened; after the decision notify it, record it, deploy), each
// given what the real step needs to do its work (the schema and expectations to validate, the features and
// parameters to train, the lineage to register, a summary to notify, the evidence an approval is recorded with),
// and a plain Update for the gate. What Slipway adds is left out: no input parsing, no progress tracker, no search
// attributes or memo, no signed start or decisions, no approval proof for the acting steps.
import { condition, defineUpdate, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';

/** The gate's decision: `{ decision: 'approve' | 'reject', approver }`; answers with the gate. */
export const decideUpdate = defineUpdate('decide');

const steps = proxyActivities({ startToCloseTimeout: '5m', retry: { maximumAttempts: 5 } });
const call = (name, input) => steps[name](input);

/** The hand-written pipeline; `input` is `trainAndPromote`'s input, as the Slipway side gets it. */
export async function rawTrainAndPromote(input) {
  let gate = null;
  setHandler(
    decideUpdate,
    (decision) => {
      gate.decisions.push({ ...decision, at: new Date().toISOString() });
      gate.status = decision.decision === 'approve' ? 'approved' : 'rejected';
      return gate;
    },
    {
      validator: (decision) => {
        if (gate?.status !== 'pending') throw new Error('the gate is not open');
        if (!input.approval.approvers.includes(decision?.approver)) throw new Error('not an approver');
      },
    },
  );
  const { approvers } = input.approval;
  const { schema, expectations, reference } = input.expectations;
  await call('slipway.resolveApprovers', { approvers, lookup: [input.start?.signer ?? 'bench'] });
  const validation = await call('slipway.validate', {
    dataset: input.dataset,
    schema,
    expectations,
    reference,
    maxBadRowShare: input.maxBadRowShare,
  });
  const { features, trainer, params, modelName } = input;
  const training = await call('slipway.train', {
    dataset: validation.dataset,
    schema,
    features,
    trainer,
    params,
    seed: input.seed,
    testFraction: input.testFraction,
    modelName,
  });
  const { version } = await call('slipway.register', {
    modelName,
    model: training.model,
    metrics: training.metrics,
    lineage: lineage(features, validation, training),
  });
  const evidence = await call('slipway.evidence', { candidate: version, alias: input.deploy.alias });
  const resolution = await call('slipway.resolveApprovers', { approvers });
  gate = { status: 'pending', model: version.name, version: version.version, evidence, decisions: [] };
  gate.eligible = resolution.approvers.map((a) => a.name);
  const opened = notify('gate_opened', gate);
  await condition(() => gate.status !== 'pending', input.approval.timeout);
  await Promise.all([opened, notify('gate_decided', gate)]);
  await call('slipway.recordApproval', {
    version,
    outcome: gate.status,
    decisions: gate.decisions,
    evidenceDigest: evidence.digest,
  });
  if (gate.status !== 'approved') return { status: gate.status, version };
  const deployment = await call('slipway.deploy', {
    version,
    serverUrl: input.deploy.serverUrl,
    alias: input.deploy.alias,
  });
  return { status: 'deployed', version, deployment };
}

/** What the registry keeps of where a version came from. */
function lineage(features, validation, training) {
  const { workflowId, runId } = workflowInfo();
  return {
    datasetUri: validation.dataset.uri,
    datasetDigest: validation.dataset.digest,
    validationReport: validation.report,
    profile: validation.profile,
    trainer: training.trainer,
    params: training.params,
    features,
    codeVersion: training.codeVersion,
    workflowId,
    temporalRunId: runId,
    task: training.task,
  };
}

function notify(kind, gate) {
  const { model, version, status, evidence, decisions } = gate;
  const { workflowId } = workflowInfo();
  return call('slipway.notify', {
    id: `${workflowId}:${version}:${kind}`,
    kind,
    model,
    version,
    runId: workflowId,
    summary: `${model} v${version}: ${kind === 'gate_opened' ? 'approval gate opened' : status}`,
    at: new Date().toISOString(),
    details: { status, evidenceDigest: evidence.digest, decisions },
  });
}
