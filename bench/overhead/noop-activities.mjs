// No-op activities for the overhead and approve benchmarks: the names of the built-in steps `trainAndPromote` calls,
// each answering at once with an output its step contract accepts (checked against the contract when they are made).
// Both sides of a benchmark run these same functions, so whatever differs is the orchestration around them.
//
// `slipway.resolveApprovers` is the real activity over the bench's signed directory of people (the workflow verifies
// the run's signed start and every decision against the keys it returns), answered from memory after its first call
// with a given input: reading and verifying the directory file is work of the step, not of the orchestration.
//
// Every activity records when it started (`performance.now()`, this process's clock) per workflow id, and the
// `slipway.notify` of a `gate_opened` event resolves `whenGateOpens(workflowId)`: the gate is open and its state
// committed once the workflow task that scheduled the notification completed.
import { Context } from '@temporalio/activity';
import { fileDirectorySource } from '@slipway/activities';
import { createResolveApproversActivity } from '@slipway/activities/steps';
import {
  deployStep,
  evidenceStep,
  notifyStep,
  recordApprovalStep,
  registerStep,
  resolveApproversStep,
  trainStep,
  validateStep,
} from '@slipway/sdk';

const digest = (c) => `sha256:${c.repeat(64)}`;
const artifact = (name, c) => ({ uri: `file:///bench/${name}`, digest: digest(c), size: 1024 });
const METRICS = { auc: 0.84, accuracy: 0.79, logLoss: 0.43 };

/** The outputs, built from each step's input the way the real step would shape them. */
const OUTPUTS = {
  [validateStep.name]: (input) => ({
    dataset: { ...input.dataset, digest: digest('a') },
    rows: 1000,
    badRows: 0,
    badRowShare: 0,
    failures: [],
    checks: { total: input.expectations?.length ?? 0, errors: 0, warnings: 0, skipped: 0, failed: [] },
    profile: artifact('profile.json', 'b'),
    report: artifact('report.json', 'c'),
  }),
  [trainStep.name]: (input) => ({
    model: artifact('model.json', 'd'),
    trainer: input.trainer ?? 'logistic-regression',
    params: input.params ?? {},
    metrics: METRICS,
    trainRows: 800,
    testRows: 200,
    resumedFromEpoch: 0,
    codeVersion: 'bench',
    task: 'binary',
  }),
  [registerStep.name]: (input) => ({
    version: { name: input.modelName, version: 1, digest: input.model.digest },
    created: true,
  }),
  [evidenceStep.name]: (input) => ({
    model: input.candidate.name,
    candidate: { version: input.candidate.version, metrics: METRICS },
    champion: null,
    datasetUri: 'file:///bench/churn.csv',
    datasetDigest: digest('a'),
    validationReportDigest: digest('c'),
    codeVersion: 'bench',
    digest: digest('e'),
  }),
  [notifyStep.name]: (input) => ({ eventId: input.id, deliveries: [] }),
  [recordApprovalStep.name]: () => ({ recorded: true }),
  [deployStep.name]: (input) => ({
    deploymentId: `bench-${input.version.name}-${input.version.version}`,
    model: input.version.name,
    version: input.version.version,
    previousVersion: null,
    serverUrl: input.serverUrl,
  }),
};

/**
 * The no-op activities and what they observed; `directoryPath` and `adminPublicKey` name the signed directory of
 * people. An output a contract refused would fail the Slipway runs of the first (warm-up) batch, naming the step.
 */
export function noopActivities({ directoryPath, adminPublicKey }) {
  const started = new Map();
  const gateWaiters = new Map();
  const record = (name) => {
    const { workflowId } = Context.current().info.workflowExecution;
    const list = started.get(workflowId) ?? [];
    list.push({ name, at: performance.now() });
    started.set(workflowId, list);
    return workflowId;
  };
  const waiter = (workflowId) => {
    let entry = gateWaiters.get(workflowId);
    if (!entry) {
      let resolve;
      const promise = new Promise((r) => (resolve = r));
      entry = { promise, resolve };
      gateWaiters.set(workflowId, entry);
    }
    return entry;
  };
  const activities = {};
  for (const [name, output] of Object.entries(OUTPUTS)) {
    activities[name] = async (input) => {
      const workflowId = record(name);
      if (name === notifyStep.name && input.kind === 'gate_opened') waiter(workflowId).resolve(performance.now());
      return output(input);
    };
  }
  const resolve = createResolveApproversActivity({ directory: fileDirectorySource(directoryPath, adminPublicKey) });
  const resolved = new Map();
  activities[resolveApproversStep.name] = async (input) => {
    record(resolveApproversStep.name);
    const key = JSON.stringify(input);
    if (!resolved.has(key)) resolved.set(key, await resolve(resolveApproversStep.input.parse(input)));
    return resolved.get(key);
  };
  return {
    activities,
    /** Resolves (with the time it opened) once the run's gate is open. */
    whenGateOpens: (workflowId) => waiter(workflowId).promise,
    /** The activities a run started, in order, with when. */
    startedIn: (workflowId) => started.get(workflowId) ?? [],
    /** Forgets a run (after it was measured). */
    forget(workflowId) {
      started.delete(workflowId);
      gateWaiters.delete(workflowId);
    },
  };
}
