import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  defineSignal,
  defineUpdate,
  log,
  setHandler,
  upsertMemo,
  upsertSearchAttributes,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import { slipwayPatched } from './patches.js';
import { defineSearchAttributeKey } from '@temporalio/common';
import { durationMs } from '../duration.js';
import { decisionSignatureRefusal } from '../decision-signature.js';
import {
  AUTO_APPROVER,
  TIMEOUT_APPROVER,
  autoApprovalReason,
  checkDecision,
  resolveApprovers,
  type Refusal,
} from '../gate-rules.js';
import { GateRefusal, SlipwayErrorType, finalFailure } from '../errors.js';
import { autoApproveRuleProblem } from '../metric-goals.js';
import { SlipwayMemo, SlipwayMessage, SlipwaySearchAttribute } from '../messages.js';
import { gateListing } from '../gate-listing.js';
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
import { verifySignedStart, type StartVerifyOptions, type VerifiedStart } from './signed-start.js';
import { useStep, type StepOverrides } from './use-step.js';
import { escalatedEligible } from './gate-escalation.js';
import { sendGateNotice, type GateNoticeKind } from './gate-notices.js';

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
  /** The run's start is signed and verified first thing; `startedBy` is the verified signer. */
  verifySignedStart: 'slipway.start.verify-signature',
  /**
   * The gate resolves every approver's public key, publishes a nonce, and accepts signed decisions only; a
   * refusal is recorded in its state.
   */
  signedDecisions: 'slipway.gate.signed-decisions',
  /**
   * The auto-approve rule takes its direction from the metric (`METRIC_GOALS`), and `checkPolicy` refuses a rule
   * naming a metric Slipway does not know. Runs started before it read the direction from `lowerIsBetter` alone.
   */
  metricGoals: 'slipway.gate.metric-goals',
  /** The gate publishes a `GateListing` in its run's memo when it opens and whenever it changes. */
  listingMemo: 'slipway.gate.listing-memo',
  /** The gate notifies `gate_opened`, `gate_escalated`, `gate_decided` and `gate_expired` itself. */
  notify: 'slipway.gate.notify',
  /** A policy with `escalateAfter` widens the approvers to its `escalateTo` groups when nobody decided in time. */
  escalation: 'slipway.gate.escalation',
} as const;

/** At most this many refused decisions are kept in a gate's state (and history); later ones are only logged. */
export const MAX_RECORDED_REFUSALS = 100;

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
   * Call it first in the pipeline, before any work. Verifies the run's signed start (when the gate was created
   * with `start`): the run fails at once with `SlipwayUnverifiedStart` unless the input carries a start signed
   * by a person whose key is in the directory. Also fails the run (non-retryable `SlipwayDirectoryNotConfigured`)
   * when the policy names groups and the worker has no directory of people, or with `SlipwayInvalidDirectory`
   * when the directory cannot be used.
   */
  checkPolicy(): Promise<void>;
  /**
   * Resolves who may decide (the policy's named approvers, plus the members of its groups read from the
   * worker's directory, each with their public key), publishes the evidence and a nonce, and waits for quorum
   * (distinct signers), a rejection, the auto-approve rule or the timeout.
   */
  open(opening: GateOpening): Promise<GateOutcome>;
  /** The gate's state, or null before it opens. */
  state(): GateState | null;
  /** The policy the gate applies, with defaults filled in. */
  readonly policy: ApprovalPolicy;
  /** The run's verified start, once `checkPolicy()` has verified it; null for a run started unsigned. */
  verifiedStart(): VerifiedStart | null;
  /** The run's input as its starter signed it (without `start`), once verified; undefined otherwise. */
  signedInput(): Record<string, unknown> | undefined;
  /** Whether the open gate notifies its own events (then nobody else notifies `gate_opened`); false before it opens. */
  notifies(): boolean;
}

/** What the gate needs to verify the run's signed start: the raw workflow input and the pipeline's name. */
export interface StartToVerify {
  input: unknown;
  pipeline: string;
  /** Set for a start that is not the run's own (a guardian's retrain): see `StartVerifyOptions`. */
  verify?: StartVerifyOptions;
}

/**
 * Creates the approval gate of a run. With `start`, the run's signed start is verified by `checkPolicy()` and
 * the verified signer is who started the run (separation of duties); `startedBy` is used only by runs that began
 * before starts were signed. `stepOptions` override the activity options of the step that resolves approvers.
 */
export function createApprovalGate(options: {
  policy: ApprovalPolicyInput;
  start?: StartToVerify;
  startedBy?: string | undefined;
  tracker?: RunTracker;
  stepOptions?: StepOverrides | undefined;
  /** Activity options of the gate's notifications (`slipway.notify`). */
  notifyOptions?: StepOverrides | undefined;
}): ApprovalGate {
  const policy = ApprovalPolicy.parse(options.policy);
  const resolveStep = useStep(resolveApproversStep, options.stepOptions);
  const groupRequest = { approvers: policy.approvers, approverGroups: policy.approverGroups };
  // Only a policy that escalates asks the directory for its escalation groups (other runs replay as they ran).
  const escalationRequest = policy.escalateTo ? { escalateTo: policy.escalateTo } : {};
  let gate: GateState | null = null;
  let verified: VerifiedStart | null = null;
  let startedBy = options.startedBy;
  /** What this run's gate does, decided once when it opens (`patched()`), so every later change replays alike. */
  const features = { listed: false, notifies: false, escalates: false };
  const notices: Promise<void>[] = [];
  const now = () => new Date().toISOString();
  /** Publishes the gate's listing in the run's memo (runs recorded before the memo publish none). */
  const publish = () => {
    if (gate && features.listed) upsertMemo({ [SlipwayMemo.gate]: gateListing(gate) });
  };
  /** Notifies a gate event without holding the gate up; `open()` waits for every notice before it returns. */
  const notice = (kind: GateNoticeKind) => {
    if (gate && features.notifies) notices.push(sendGateNotice(kind, copy(gate), options.notifyOptions));
  };

  const accept = (decision: GateDecision) => {
    if (!gate) return;
    gate.decisions.push(decision);
    const signers = new Set(gate.decisions.filter((d) => d.decision === 'approve').map((d) => d.approver));
    if (decision.decision === 'reject') close('rejected');
    else if (signers.size >= policy.quorum) close('approved');
    else publish();
  };
  const close = (status: Exclude<GateStatus, 'pending'>) => {
    if (!gate) return;
    gate.status = status;
    gate.closedAt = now();
    upsertSearchAttributes([{ key: gateStatusKey, value: status }]);
    publish();
  };
  const recordRefusal = (raw: unknown, refusal: Refusal, via: 'update' | 'signal') => {
    const approver = typeof raw === 'object' && raw !== null ? String((raw as { approver?: unknown }).approver) : '?';
    log.warn('Refused a gate decision', { approver, via, reason: refusal.message });
    if (!gate || gate.refused.length >= MAX_RECORDED_REFUSALS) return;
    gate.refused.push({ approver, reason: refusal.message, at: now(), via, type: refusal.type });
  };

  /** Applies a decision if the gate's rules allow it (and its signature verifies); returns the refusal otherwise. */
  const decide = (raw: unknown, via: 'update' | 'signal'): Refusal | undefined => {
    // Only a decision recorded before the upgrade, on a gate whose groups were never resolved, replays as it ran.
    const legacy = gate?.unresolvedGroups !== undefined && !slipwayPatched(GatePatch.refuseDeclaredGroups);
    const check = checkDecision(gate, policy, raw, { acceptDeclaredGroups: legacy });
    if (!check.ok) return check.refusal;
    const current = gate as GateState;
    const request = check.request;
    const entry = current.eligible.find((e) => e.name === request.approver);
    const gateIdentity = { ...current, workflowId: workflowInfo().workflowId };
    const unsigned = decisionSignatureRefusal(gateIdentity, request, entry?.publicKey, Date.now(), entry?.delegates);
    if (unsigned) return unsigned;
    const { decision, approver, comment } = request;
    const signedBy = request.signedBy === undefined ? {} : { signedBy: request.signedBy };
    const signed =
      current.nonce === undefined ? {} : { signedAt: request.at, signature: request.signature, ...signedBy };
    accept({ decision, approver, comment, at: now(), via, ...signed });
    return undefined;
  };
  const refusalFailure = (refusal: Refusal) => ApplicationFailure.nonRetryable(refusal.message, refusal.type);
  /** Whether the auto-approve rule reads its direction from the metric (every run started since metric goals). */
  const metricGoals = () => policy.autoApprove !== undefined && slipwayPatched(GatePatch.metricGoals);

  setHandler(
    gateDecideUpdate,
    (raw) => {
      const refusal = decide(raw, 'update');
      if (!refusal) return copy(gate as GateState);
      // A gate that signs records every refusal it sees (the validator let it through to be recorded).
      if (gate?.nonce !== undefined) recordRefusal(raw, refusal, 'update');
      throw refusalFailure(refusal);
    },
    {
      validator: (raw) => {
        // Malformed decisions and closed gates are refused here, writing nothing; a signed gate checks the rest
        // in the handler, so that every other refusal is recorded in its state.
        const check = checkDecision(gate, policy, raw);
        if (check.ok) return;
        if (gate?.nonce === undefined || isUnrecorded(check.refusal)) throw refusalFailure(check.refusal);
      },
      description:
        'Approve or reject the promotion; refused unless signed by an allowed approver while the gate is open',
    },
  );
  setHandler(gateDecideSignal, (raw) => {
    const refusal = decide(raw, 'signal');
    if (refusal) recordRefusal(raw, refusal, 'signal');
  });
  options.tracker?.attachGate(() => gate);

  /** Who may decide: names alone without groups; from the directory when the run is new enough to ask it. */
  const resolve = async (): Promise<Resolution> => {
    if (slipwayPatched(GatePatch.signedDecisions)) return resolveStep(groupRequest);
    if (policy.approverGroups.length === 0) return resolveApprovers(policy);
    if (slipwayPatched(GatePatch.resolveApprovers)) return resolveStep(groupRequest);
    return { ...resolveApprovers({ ...policy, approverGroups: [] }), unresolvedGroups: policy.approverGroups };
  };

  return {
    policy,
    state: () => gate,
    verifiedStart: () => verified,
    signedInput: () => (verified ? withoutStart(options.start?.input) : undefined),
    notifies: () => features.notifies,
    async checkPolicy() {
      const problem = metricGoals() && policy.autoApprove ? autoApproveRuleProblem(policy.autoApprove) : undefined;
      if (problem) throw finalFailure(SlipwayErrorType.InvalidInput, `the approval policy is invalid: ${problem}`);
      if (options.start && slipwayPatched(GatePatch.verifySignedStart)) {
        const { input, pipeline, verify } = options.start;
        const lookupKeys = (lookup: string[]) => resolveStep({ ...groupRequest, ...escalationRequest, lookup });
        verified = await verifySignedStart(input, pipeline, lookupKeys, verify);
        startedBy = verified.signer;
        return;
      }
      const groups = policy.approverGroups.length + (policy.escalateTo?.length ?? 0);
      if (groups === 0 || !slipwayPatched(GatePatch.checkDirectory)) return;
      await resolveStep({ ...groupRequest, ...escalationRequest });
    },
    async open(opening) {
      const resolution = await resolve();
      const nonce = slipwayPatched(GatePatch.signedDecisions) ? uuid4() : undefined;
      features.listed = slipwayPatched(GatePatch.listingMemo);
      features.notifies = slipwayPatched(GatePatch.notify);
      features.escalates = policy.escalateAfter !== undefined && slipwayPatched(GatePatch.escalation);
      const current = openGate(opening, policy, startedBy, resolution, nonce);
      gate = current;
      upsertSearchAttributes([{ key: gateStatusKey, value: 'pending' }]);
      publish();
      notice('gate_opened');
      const reason = autoApprovalReason(policy, opening.evidence, { legacy: !metricGoals() });
      if (reason) accept({ decision: 'approve', approver: AUTO_APPROVER, comment: reason, at: now(), via: 'policy' });
      const decided = features.escalates ? await waitEscalating(current) : await waitFor(current, policy.timeout);
      if (!decided && policy.onTimeout === 'approve') {
        const comment = `no decision within ${policy.timeout}; the policy approves on timeout`;
        current.decisions.push({ decision: 'approve', approver: TIMEOUT_APPROVER, comment, at: now(), via: 'policy' });
        close('approved');
      } else if (!decided) {
        close('expired');
      }
      notice(current.status === 'expired' ? 'gate_expired' : 'gate_decided');
      await Promise.all(notices);
      await condition(allHandlersFinished);
      const status = current.status as Exclude<GateStatus, 'pending'>;
      return { status, decisions: [...current.decisions], state: copy(current) };
    },
  };

  /** Waits until the gate closes or `timeout` passes; true when it closed. */
  async function waitFor(current: GateState, timeout: string | number): Promise<boolean> {
    return condition(() => current.status !== 'pending', timeout);
  }

  /**
   * Waits `escalateAfter`; when nobody closed the gate by then, resolves the `escalateTo` groups from the directory,
   * lets their members decide (marked `escalated`), notifies `gate_escalated`, and waits for the rest of the timeout.
   */
  async function waitEscalating(current: GateState): Promise<boolean> {
    if (await waitFor(current, policy.escalateAfter as string)) return true;
    const widened = await resolveStep({ ...groupRequest, ...escalationRequest });
    if (current.status !== 'pending') return true;
    if (widened.directoryDigest !== current.directoryDigest) {
      // Decisions are verified where they act against the directory the gate pinned, which no longer matches.
      log.warn('The directory of people changed since the gate opened; its decisions will not verify where they act', {
        pinned: current.directoryDigest,
        now: widened.directoryDigest,
      });
    }
    current.eligible.push(...escalatedEligible(current, widened));
    current.escalatedAt = now();
    publish();
    notice('gate_escalated');
    // Whole milliseconds left until the deadline the gate published (at least one, so the wait is a timer).
    return waitFor(current, Math.max(1, Date.parse(current.deadline) - Date.now()));
  }
}

/** Refusals a signed gate does not record: malformed requests and a gate that is not open (nothing to decide). */
function isUnrecorded(refusal: Refusal): boolean {
  return refusal.type === GateRefusal.InvalidDecision || refusal.type === GateRefusal.GateClosed;
}

/** Who may decide at a gate; `unresolvedGroups` only for a gate that opened before groups were resolved. */
type Resolution = ApproverResolution & { unresolvedGroups?: string[] };

function openGate(
  opening: GateOpening,
  policy: ApprovalPolicy,
  startedBy: string | undefined,
  resolution: Resolution,
  nonce: string | undefined,
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
    ...(nonce === undefined ? {} : { nonce }),
    ...(startedBy === undefined ? {} : { startedBy }),
    ...(policy.allowSelfApproval ? { allowSelfApproval: true } : {}),
    openedAt: new Date(opened).toISOString(),
    deadline: new Date(opened + durationMs(policy.timeout)).toISOString(),
    decisions: [],
    refused: [],
    ...(policy.escalateTo ? { escalateTo: policy.escalateTo } : {}),
  };
}

function withoutStart(input: unknown): Record<string, unknown> {
  const { start: _start, ...rest } = input as Record<string, unknown>;
  return rest;
}

/** A deep copy of plain data (the sandbox has no structuredClone guarantee). */
function copy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
