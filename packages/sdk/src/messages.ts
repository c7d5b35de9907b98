/**
 * Names of the messages Slipway workflows answer. Workflow code and the client both use these constants,
 * so neither imports the other.
 */
export const SlipwayMessage = {
  /** Update: approve or reject at the gate (validated; a refused update writes nothing). */
  gateDecide: 'slipway.gate.decide',
  /** Signal: approve or reject, fire-and-forget (validated in the handler; a refused one is recorded). */
  gateDecideSignal: 'slipway.gate.decideSignal',
  /** Query: the gate's state and evidence, or null when no gate is open yet. */
  gateState: 'slipway.gate.state',
  /** Update: pause, resume, promote now or abort a rollout (signed by one of the policy's approvers). */
  rolloutCommand: 'slipway.rollout.command',
  /** Query: a rollout's state: its step, split, last readings, commands. */
  rolloutState: 'slipway.rollout.state',
  /** Update: retry or abort the deploy of a run whose deploy failed after its approval (signed by an approver). */
  deployCommand: 'slipway.deploy.command',
  /** Update: pause, resume or stop a model guardian (signed by one of the retrain policy's approvers). */
  guardianCommand: 'slipway.guardian.command',
  /** Query: a model guardian's status: counters, last checks, decisions, retrains. */
  guardianStatus: 'slipway.guardian.status',
  /** Query: the run's progress, step by step. */
  progress: 'slipway.progress',
} as const;

/** Search attributes Slipway workflows set, so pending gates can be listed. */
export const SlipwaySearchAttribute = {
  /** Keyword: `pending`, `approved`, `rejected` or `expired`. */
  gateStatus: 'SlipwayGateStatus',
  /** Keyword: the model the run trains. */
  model: 'SlipwayModel',
} as const;

/** Memo fields Slipway workflows set, so lists need no query per run. */
export const SlipwayMemo = {
  /** A `GateListing`: the gate's status, model, version, evidence digest, deadline and who may decide. */
  gate: 'slipwayGate',
} as const;

/** The task queue Slipway workers poll by default. */
export const DEFAULT_TASK_QUEUE = 'slipway';
