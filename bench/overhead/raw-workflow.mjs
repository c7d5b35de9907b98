// The baseline of bench/overhead and bench/approve: `trainAndPromote`'s shape hand-written with the Temporal SDK
// alone — the same activities in the same order (look up the starter's key, validate, train, register, gather
// evidence, resolve the approvers, notify the gate opened; after the decision notify it, record it, deploy), and a
// plain Update for the gate. No input parsing, no progress tracker, no search attributes or memo, no signatures.
import { condition, defineUpdate, proxyActivities, setHandler } from '@temporalio/workflow';

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
      gate.decisions.push(decision);
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
  await call('slipway.resolveApprovers', { approvers, lookup: [input.start?.signer ?? 'bench'] });
  const validation = await call('slipway.validate', { dataset: input.dataset, schema: input.schema ?? {} });
  const training = await call('slipway.train', {
    dataset: validation.dataset,
    features: input.features,
    trainer: input.trainer,
    params: input.params,
    modelName: input.modelName,
  });
  const { version } = await call('slipway.register', { modelName: input.modelName, model: training.model });
  const evidence = await call('slipway.evidence', { candidate: version, alias: input.deploy.alias });
  const resolution = await call('slipway.resolveApprovers', { approvers });
  gate = { status: 'pending', model: version.name, version: version.version, evidence, decisions: [] };
  gate.eligible = resolution.approvers.map((a) => a.name);
  const opened = notify('gate_opened', gate);
  await condition(() => gate.status !== 'pending', input.approval.timeout);
  await Promise.all([opened, notify('gate_decided', gate)]);
  await call('slipway.recordApproval', { version, outcome: gate.status, decisions: gate.decisions });
  if (gate.status !== 'approved') return { status: gate.status, version };
  const deployment = await call('slipway.deploy', { version, serverUrl: input.deploy.serverUrl });
  return { status: 'deployed', version, deployment };
}

function notify(kind, gate) {
  const { model, version } = gate;
  return call('slipway.notify', { id: `${model}:${version}:${kind}`, kind, model, version });
}
