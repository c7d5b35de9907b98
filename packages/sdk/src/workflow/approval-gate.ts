import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  defineSignal,
  defineUpdate,
  log,
  patched,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import { defineSearchAttributeKey } from '@temporalio/common';
import { durationMs } from '../duration.js';
import { autoApprovalReason, checkDecision, resolveApprovers, type Refusal } from '../gate-rules.js';
import { SlipwayMessage, SlipwaySearchAttribute } from '../messages.js';
import {
  ApprovalPolicy,
  type ApprovalPolicyInput,
  type EvidencePacket,
  type GateDecision,
  type GateDecisionRequestInput,
  type GateState,
  type GateStatus,
} from '../schemas/approval.js';
import type { ApproverResolution } from '../schemas/directory.js';
import { resolveApproversStep } from '../steps/resolve-approvers.js';
import type { RunTracker } from './run-tracker.js';
import { useStep, type StepOverrides } from './use-step.js';

/** Update: approve or reject; answers with the gate's state after the decision. */
export const gateDecideUpdate = defineUpdate<GateState, [GateDecisionRequestInput]>(SlipwayMessage.gateDecide);
/** Signal: approve or reject without waiting for an answer. */
export const gateDecideSignal = defineSignal<[GateDecisionRequestInput]>(SlipwayMessage.gateDecideSignal);

const gateStatusKey = defineSearchAttributeKey(SlipwaySearchAttribute.gateStatus, 'KEYWORD');

/**
 * Where the gate changed what it schedules or decides, as `patched()` ids: runs recorded before a change replay
 * as they ran. A run whose gate opened before groups came from the directory keeps its (unresolved) state: only
 * the approvers its policy names may decide on it from then on.
 */
export const GatePatch = {
  /** At run start, a policy naming groups checks that the worker has a directory to resolve them from. */
  checkDirectory: 'slipway.gate.check-directory',
  /** When the gate opens, a policy naming groups is resolved against the worker's directory. */
  resolveApprovers: 'slipway.gate.resolve-approvers',
  /** Decisions that declare their own groups are refused (gates opened before the change trusted them). */
  refuseDeclaredGroups: 'slipway.gate.refuse-declared-groups',
} as const;

/** How a gate closed, with every accepted decision. */
export interface GateOutcome {
  status: Exclude<GateStatus, 'pending'>;
  decisions: GateDecision[];
  state: GateState;
}

/** What a gate needs when it opens. */
export interface GateOpening {
  model: string;
  version: number;
  evidence: EvidencePacket;
}

/**
 * A durable approval gate. Create it at the top of the workflow function (before any `await`) so its Update,
 * Signal and Query handlers exist from the first moment; decisions that arrive before `open()` are refused
 * with a clear reason. While the gate waits, the workflow holds no worker slot.
 */
export interface ApprovalGate {
  /**
   * Fails the run at once (non-retryable `SlipwayDirectoryNotConfigured`, naming the groups and the `directory`
   * setting) when the policy names groups and the worker has no directory of people, or with
   * `SlipwayInvalidDirectory` when the directory cannot be used. Call it first in the pipeline, before any work.
   */
  checkPolicy(): Promise<void>;
  /**
   * Resolves who may decide (the policy's named approvers, plus the members of its groups read from the
   * worker's directory), publishes the evidence and waits for quorum, a rejection, the auto-approve rule or the
   * timeout.
   */
  open(opening: GateOpening): Promise<GateOutcome>;
  /** The gate's state, or null before it opens. */
  state(): GateState | null;
}

/**
 * Creates the approval gate of a run. `startedBy` is who started the run (separation of duties); `stepOptions`
 * override the activity options of the step that resolves the approvers.
 */
export function createApprovalGate(options: {
  policy: ApprovalPolicyInput;
  startedBy?: string | undefined;
  tracker?: RunTracker;
  stepOptions?: StepOverrides | undefined;
}): ApprovalGate {
  const policy = ApprovalPolicy.parse(options.policy);
  const resolveStep = useStep(resolveApproversStep, options.stepOptions);
  const groupRequest = { approvers: policy.approvers, approverGroups: policy.approverGroups };
  let gate: GateState | null = null;
  const now = () => new Date().toISOString();

  const accept = (decision: GateDecision) => {
    if (!gate) return;
    gate.decisions.push(decision);
    const approvals = gate.decisions.filter((d) => d.decision === 'approve').length;
    if (decision.decision === 'reject') close('rejected');
    else if (approvals >= policy.quorum) close('approved');
  };
  const close = (status: Exclude<GateStatus, 'pending'>) => {
    if (!gate) return;
    gate.status = status;
    gate.closedAt = now();
    upsertSearchAttributes([{ key: gateStatusKey, value: status }]);
  };

  /** Applies a decision if the gate's rules allow it; returns the refusal otherwise. */
  const decide = (raw: unknown, via: 'update' | 'signal'): Refusal | undefined => {
    // Only a decision recorded before the upgrade, on a gate whose groups were never resolved, replays as it ran.
    const legacy = gate?.unresolvedGroups !== undefined && !patched(GatePatch.refuseDeclaredGroups);
    const check = checkDecision(gate, policy, raw, { acceptDeclaredGroups: legacy });
    if (!check.ok) return check.refusal;
    const { decision, approver, comment } = check.request;
    accept({ decision, approver, comment, at: now(), via });
    return undefined;
  };
  const refusalFailure = (refusal: Refusal) => ApplicationFailure.nonRetryable(refusal.message, refusal.type);

  setHandler(
    gateDecideUpdate,
    (raw) => {
      const refusal = decide(raw, 'update');
      if (refusal) throw refusalFailure(refusal);
      return copy(gate as GateState);
    },
    {
      validator: (raw) => {
        const check = checkDecision(gate, policy, raw);
        if (!check.ok) throw refusalFailure(check.refusal);
      },
      description: 'Approve or reject the promotion; refused unless the approver is allowed and the gate is open',
    },
  );
  setHandler(gateDecideSignal, (raw) => {
    const refusal = decide(raw, 'signal');
    if (!refusal) return;
    const approver = typeof raw === 'object' && raw !== null ? String((raw as { approver?: unknown }).approver) : '?';
    log.warn('Refused a gate decision sent by signal', { approver, reason: refusal.message });
    gate?.refused.push({ approver, reason: refusal.message, at: now(), via: 'signal' });
  });
  options.tracker?.attachGate(() => gate);

  /** Who may decide: names alone without groups; from the directory when the run is new enough to ask it. */
  const resolve = async (): Promise<Resolution> => {
    if (policy.approverGroups.length === 0) return resolveApprovers(policy);
    if (patched(GatePatch.resolveApprovers)) return resolveStep(groupRequest);
    return { ...resolveApprovers({ ...policy, approverGroups: [] }), unresolvedGroups: policy.approverGroups };
  };

  return {
    state: () => gate,
    async checkPolicy() {
      if (policy.approverGroups.length === 0 || !patched(GatePatch.checkDirectory)) return;
      await resolveStep(groupRequest);
    },
    async open(opening) {
      const current = openGate(opening, policy, options.startedBy, await resolve());
      gate = current;
      upsertSearchAttributes([{ key: gateStatusKey, value: 'pending' }]);
      const reason = autoApprovalReason(policy, opening.evidence);
      if (reason)
        accept({ decision: 'approve', approver: 'slipway:auto-approve', comment: reason, at: now(), via: 'policy' });
      const decided = await condition(() => current.status !== 'pending', policy.timeout);
      if (!decided && policy.onTimeout === 'approve') {
        const comment = `no decision within ${policy.timeout}; the policy approves on timeout`;
        current.decisions.push({ decision: 'approve', approver: 'slipway:timeout', comment, at: now(), via: 'policy' });
        close('approved');
      } else if (!decided) {
        close('expired');
      }
      await condition(allHandlersFinished);
      const status = current.status as Exclude<GateStatus, 'pending'>;
      return { status, decisions: [...current.decisions], state: copy(current) };
    },
  };
}

/** Who may decide at a gate; `unresolvedGroups` only for a gate that opened before groups were resolved. */
type Resolution = ApproverResolution & { unresolvedGroups?: string[] };

function openGate(
  opening: GateOpening,
  policy: ApprovalPolicy,
  startedBy: string | undefined,
  resolution: Resolution,
): GateState {
  const opened = Date.now();
  return {
    status: 'pending',
    model: opening.model,
    version: opening.version,
    evidence: opening.evidence,
    approvers: policy.approvers,
    approverGroups: policy.approverGroups,
    eligible: resolution.approvers,
    directoryDigest: resolution.directoryDigest,
    emptyGroups: resolution.emptyGroups,
    ...(resolution.unresolvedGroups ? { unresolvedGroups: resolution.unresolvedGroups } : {}),
    quorum: policy.quorum,
    ...(startedBy === undefined ? {} : { startedBy }),
    openedAt: new Date(opened).toISOString(),
    deadline: new Date(opened + durationMs(policy.timeout)).toISOString(),
    decisions: [],
    refused: [],
  };
}

/** A deep copy of plain data (the sandbox has no structuredClone guarantee). */
function copy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
