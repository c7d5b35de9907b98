// The baseline of bench/overhead and bench/approve: `trainAndPromote`'s shape hand-written with the Temporal SDK
// alone — the same activities in the same order (look up the starter's key, validate, train, register, gather
// evidence, resolve the approvers, notify the gate opened; after the decision notify it, record it, deploy), each
// given what the real step needs to do its work (the schema and expectations to validate, the features and
// parameters to train, the lineage to register, a summary to notify, the evidence an approval is recorded with),
// and a plain Update for the gate. What Slipway adds is left out: no input parsing, no progress tracker, no search
// attributes or memo, no signed start or decisions, no approval proof for the acting steps.
//
// `rawTrainAndPromoteWithRecords` is the same code asking the server to keep what Slipway's runs ask it to keep,
// and nothing else Slipway does: a patch marker (with the `TemporalChangeVersion` upsert Temporal makes with it),
// the gate's status as a search attribute and its listing in the memo when it opens and when it closes, and an
// approval proof's worth of payload (the policy, the evidence, the decisions) in the inputs of the two acting steps.
// bench/overhead runs it as a third side, so that the gap splits into what those records cost the server and what
// Slipway's own code costs.
import {
  condition,
  defineUpdate,
  patched,
  proxyActivities,
  setHandler,
  upsertMemo,
  upsertSearchAttributes,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';

/** The gate's decision: `{ decision: 'approve' | 'reject', approver }`; answers with the gate. */
export const decideUpdate = defineUpdate('decide');

const steps = proxyActivities({ startToCloseTimeout: '5m', retry: { maximumAttempts: 5 } });
const call = (name, input) => steps[name](input);

/** The hand-written pipeline; `input` is `trainAndPromote`'s input, as the Slipway side gets it. */
export function rawTrainAndPromote(input) {
  return pipeline(input, NO_RECORDS);
}

/** The hand-written pipeline, making the records Slipway's runs make (see the top of this file). */
export function rawTrainAndPromoteWithRecords(input) {
  return pipeline(input, SLIPWAY_RECORDS);
}

/** What the baseline keeps on the server besides its history: nothing. */
const NO_RECORDS = { started() {}, gateOpened() {}, gateChanged() {}, proof: () => ({}) };

/** What Slipway's runs keep on the server besides the baseline's history. */
const SLIPWAY_RECORDS = {
  started() {
    patched('bench.records');
  },
  gateOpened(gate) {
    const openedAt = new Date();
    gate.openedAt = openedAt.toISOString();
    gate.deadline = new Date(openedAt.getTime() + 72 * 3600_000).toISOString();
    gate.nonce = uuid4();
    SLIPWAY_RECORDS.gateChanged(gate);
  },
  gateChanged(gate) {
    upsertSearchAttributes({ SlipwayGateStatus: [gate.status] });
    upsertMemo({ slipwayGate: listing(gate) });
  },
  proof: (gate, policy) => ({
    proof: {
      workflowId: workflowInfo().workflowId,
      gateNonce: gate.nonce,
      policy,
      evidence: gate.evidence,
      outcome: gate.status,
      decisions: gate.decisions,
      openedAt: gate.openedAt,
      deadline: gate.deadline,
    },
  }),
};

/** The gate's listing, with the fields Slipway's memo carries. */
function listing(gate) {
  const { status, model, version, evidence, openedAt, deadline, eligible, nonce } = gate;
  const approvals = gate.decisions.filter((d) => d.decision === 'approve').length;
  const headline = `auc ${evidence.candidate.metrics.auc} vs ${evidence.champion ? `v${evidence.champion.version}` : 'no champion'}`;
  return {
    status,
    model,
    version,
    evidenceDigest: evidence.digest,
    openedAt,
    deadline,
    quorum: 1,
    approvals,
    approvers: eligible,
    approverGroups: [],
    headline,
    nonce,
  };
}

async function pipeline(input, records) {
  let gate = null;
  setHandler(
    decideUpdate,
    (decision) => {
      gate.decisions.push({ ...decision, at: new Date().toISOString() });
      gate.status = decision.decision === 'approve' ? 'approved' : 'rejected';
      records.gateChanged(gate);
      return gate;
    },
    {
      validator: (decision) => {
        if (gate?.status !== 'pending') throw new Error('the gate is not open');
        if (!input.approval.approvers.includes(decision?.approver)) throw new Error('not an approver');
      },
    },
  );
  records.started();
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
  records.gateOpened(gate);
  const opened = notify('gate_opened', gate);
  await condition(() => gate.status !== 'pending', input.approval.timeout);
  await Promise.all([opened, notify('gate_decided', gate)]);
  await call('slipway.recordApproval', {
    version,
    outcome: gate.status,
    decisions: gate.decisions,
    evidenceDigest: evidence.digest,
    ...records.proof(gate, input.approval),
  });
  if (gate.status !== 'approved') return { status: gate.status, version };
  const deployment = await call('slipway.deploy', {
    version,
    serverUrl: input.deploy.serverUrl,
    alias: input.deploy.alias,
    ...records.proof(gate, input.approval),
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
