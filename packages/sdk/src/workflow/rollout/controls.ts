/**
 * A rollout's state and the messages it answers: the Query of its state, and the Update by which an operator
 * pauses, resumes, promotes now or aborts it (signed, and refused, writing nothing, unless the operator is one of
 * the approval policy's approvers and the signature verifies for this rollout).
 */
import {
  ApplicationFailure,
  defineQuery,
  defineUpdate,
  log,
  setHandler,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import { SlipwayMessage } from '../../messages.js';
import { checkRolloutCommand, type SeparationOfDuties } from '../../rollout-command.js';
import type { ResolvedApprover } from '../../schemas/directory.js';
import {
  MAX_ROLLOUT_RECORDS,
  type AcceptedRolloutCommand,
  type RolloutCommandRequest,
  type RolloutState,
  type RolloutStepRecord,
} from '../../schemas/rollout-state.js';
import type { RolloutPlan, RolloutStepPlan } from '../../schemas/rollout.js';
import type { ModelVersionRef } from '../../schemas/model.js';
import { durationMs } from '../../duration.js';

/** Update: pause, resume, promote now or abort; answers with the rollout's state after the command. */
export const rolloutCommandUpdate = defineUpdate<RolloutState, [RolloutCommandRequest]>(SlipwayMessage.rolloutCommand);
/** Query: the rollout's state. */
export const rolloutStateQuery = defineQuery<RolloutState>(SlipwayMessage.rolloutState);

/** A promote-now or abort an operator asked for, waiting for the saga to act on it. */
export type StopRequest = Pick<AcceptedRolloutCommand, 'command' | 'operator' | 'reason'> & {
  command: 'promote' | 'abort';
};

/** The live state of a rollout and what operators asked of it. */
export interface RolloutControls {
  readonly state: RolloutState;
  /** Who may command the rollout, once resolved from the approval policy, and who may not promote it early. */
  setOperators(operators: ResolvedApprover[], duties?: SeparationOfDuties): void;
  /** A promote-now or abort waiting to be acted on. */
  stopRequest(): StopRequest | undefined;
  /** True while paused (by an operator, or by a breach with `onBreach: 'pause'`). */
  paused(): boolean;
  /** Pauses on the saga's own account (a breach). */
  pause(reason: string): void;
  /** Records what a window gave: replaces the record of the same window, keeps the last few. */
  record(entry: Omit<RolloutStepRecord, 'at'>): void;
}

/**
 * Creates a rollout's state and registers its Update and Query. Call it at the top of the workflow function,
 * before any `await`, so the handlers exist from the first moment.
 */
export function createRolloutControls(
  version: ModelVersionRef,
  plan: RolloutPlan,
  steps: RolloutStepPlan[],
): RolloutControls {
  const startedMs = Date.now();
  const state: RolloutState = {
    model: version.name,
    version: version.version,
    strategy: plan.strategy,
    steps: steps.map((s) => s.percent),
    phase: 'staging',
    step: null,
    percent: 0,
    mode: steps[0]?.mode ?? 'split',
    deploymentId: null,
    stable: null,
    pausedBy: null,
    startedAt: new Date(startedMs).toISOString(),
    deadline: new Date(startedMs + durationMs(plan.deadline)).toISOString(),
    nonce: uuid4(),
    operators: null,
    records: [],
    droppedRecords: 0,
    commands: [],
    outcome: null,
  };
  let operators: ResolvedApprover[] | null = null;
  let duties: SeparationOfDuties = {};
  let stop: StopRequest | undefined;
  const workflowId = workflowInfo().workflowId;

  setHandler(rolloutStateQuery, () => copy(state));
  setHandler(
    rolloutCommandUpdate,
    (raw) => {
      const check = checkRolloutCommand(state, workflowId, raw, operators, Date.now(), duties);
      if (!check.ok) throw ApplicationFailure.nonRetryable(check.refusal.message, check.refusal.type);
      const { command, operator, reason, at, signature } = check.request;
      state.commands.push({ command, operator, reason, at: new Date().toISOString(), signedAt: at, signature });
      if (command === 'pause') state.pausedBy = `${operator}: ${reason}`;
      else if (command === 'resume') state.pausedBy = null;
      else stop ??= { command, operator, reason };
      return copy(state);
    },
    {
      validator: (raw) => {
        const check = checkRolloutCommand(state, workflowId, raw, operators, Date.now(), duties);
        if (check.ok) return;
        const named = (raw as { operator?: unknown } | null)?.operator;
        const operator = typeof named === 'string' ? named : '?';
        log.warn('Refused a rollout command', { operator, reason: check.refusal.message });
        throw ApplicationFailure.nonRetryable(check.refusal.message, check.refusal.type);
      },
      description:
        "Pause, resume, promote now or abort the rollout; refused unless signed by one of the policy's approvers",
    },
  );

  return {
    state,
    setOperators(resolved, separation = {}) {
      operators = resolved;
      duties = separation;
      state.operators = resolved.map((o) => o.name);
    },
    stopRequest: () => stop,
    paused: () => state.pausedBy !== null,
    pause(reason) {
      state.pausedBy = reason;
    },
    record(entry) {
      const at = new Date().toISOString();
      const same = state.records.findIndex((r) => r.windowId === entry.windowId);
      if (same >= 0) state.records[same] = { ...entry, at };
      else state.records.push({ ...entry, at });
      while (state.records.length > MAX_ROLLOUT_RECORDS) {
        state.records.shift();
        state.droppedRecords += 1;
      }
    },
  };
}

/** A deep copy of plain data. */
function copy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
