import { GateRefusal } from './errors.js';
import { describeIssues } from './step.js';
import { MetricGoal, autoApproveRuleProblem, improvementOf, metricGoal } from './metric-goals.js';
import { GateDecisionRequest, type ApprovalPolicy, type EvidencePacket, type GateState } from './schemas/approval.js';
import type { ApproverResolution, ResolvedApprover } from './schemas/directory.js';
import { delegatesOf, type DirectoryServicesView } from './service-delegates.js';

/** The approver a decision made by the policy's auto-approve rule is recorded under. */
export const AUTO_APPROVER = 'slipway:auto-approve';
/** The approver a decision made by the policy's approve-on-timeout rule is recorded under. */
export const TIMEOUT_APPROVER = 'slipway:timeout';

/** Why a decision was refused: a `GateRefusal` type and a sentence for the approver. */
export interface Refusal {
  type: GateRefusal;
  message: string;
}

/** The result of checking a decision against the gate: the parsed request, or the refusal. */
export type DecisionCheck = { ok: true; request: GateDecisionRequest } | { ok: false; refusal: Refusal };

/** How `checkDecision` treats groups a decision declares. */
export interface DecisionRules {
  /**
   * Only for replaying decisions a run accepted before groups came from the directory (see the gate's
   * `unresolvedGroups`): apply them as the old rules did, trusting the declared groups. Never for a new decision.
   */
  acceptDeclaredGroups?: boolean;
}

/**
 * Checks a decision against the gate's state and policy: well-formed and declaring no groups of its own, gate
 * open, approver eligible (named by the policy or a member of one of its groups per the directory the gate
 * resolved when it opened), not the person who started the run (unless allowed), not a second decision by the
 * same person, and bound to the evidence packet the gate published. Pure, so it runs in update validators,
 * signal handlers and tests.
 */
export function checkDecision(
  gate: GateState | null,
  policy: ApprovalPolicy,
  raw: unknown,
  rules: DecisionRules = {},
): DecisionCheck {
  const declared = declaredGroups(raw);
  if (declared.length > 0 && !rules.acceptDeclaredGroups) {
    return refuse(
      GateRefusal.InvalidDecision,
      `a decision may not declare groups (this one names ${declared.join(', ')}): the gate takes group membership from the worker's directory of people only`,
    );
  }
  const parsed = GateDecisionRequest.safeParse(raw);
  if (!parsed.success) return refuse(GateRefusal.InvalidDecision, `invalid decision: ${describeIssues(parsed.error)}`);
  const request = parsed.data;
  if (gate === null) return refuse(GateRefusal.GateClosed, 'no approval gate is open yet in this run');
  if (gate.status !== 'pending') return refuse(GateRefusal.GateClosed, closedMessage(gate));
  const byDeclaredGroup = rules.acceptDeclaredGroups === true && declared.some((g) => gate.approverGroups.includes(g));
  if (!isEligible(gate, request.approver) && !byDeclaredGroup) {
    return refuse(
      GateRefusal.ApproverNotAllowed,
      `${request.approver} is not allowed to approve this promotion (allowed: ${describeEligible(gate)})`,
    );
  }
  if (!policy.allowSelfApproval && gate.startedBy !== undefined && gate.startedBy === request.approver) {
    return refuse(GateRefusal.SelfApproval, `${request.approver} started this run and may not decide on it`);
  }
  if (gate.decisions.some((d) => d.approver === request.approver)) {
    return refuse(GateRefusal.DuplicateApproval, `${request.approver} has already decided on this gate`);
  }
  if (request.evidenceDigest !== gate.evidence.digest) {
    return refuse(
      GateRefusal.EvidenceMismatch,
      `the decision names evidence ${request.evidenceDigest} but the gate published ${gate.evidence.digest}`,
    );
  }
  return { ok: true, request };
}

/** Whether a person may decide at a gate: only the approvers it resolved when it opened. */
export function isEligible(gate: Pick<GateState, 'eligible'>, approver: string): boolean {
  return gate.eligible.some((e) => e.name === approver);
}

/** The groups a raw decision declares (a non-empty `groups` list), which the gate refuses. */
export function declaredGroups(raw: unknown): string[] {
  if (typeof raw !== 'object' || raw === null || !('groups' in raw)) return [];
  const groups: unknown = raw.groups;
  if (groups === undefined || groups === null) return [];
  const list: unknown[] = Array.isArray(groups) ? groups : [groups];
  return list.map((g) => (typeof g === 'string' ? g : JSON.stringify(g)));
}

/**
 * Who may decide, for people: `maria, sam (ml-leads)` — a group in brackets when the person qualifies only
 * through it, `escalated` for people who may decide since the gate escalated — followed by groups with no member,
 * groups never resolved and groups the gate will escalate to; `nobody` when no one may.
 */
export function describeEligible(
  gate: Pick<GateState, 'eligible' | 'emptyGroups'> & {
    unresolvedGroups?: string[] | undefined;
    escalateTo?: string[] | undefined;
    escalatedAt?: string | undefined;
  },
): string {
  const people = gate.eligible.map((e) => {
    const why = [...(e.named ? [] : e.groups), ...(e.escalated ? ['escalated'] : [])];
    return e.named || why.length === 0 ? e.name : `${e.name} (${why.join(', ')})`;
  });
  const notes = [
    ...gate.emptyGroups.map((g) => `group ${g} has no member in the directory`),
    ...(gate.unresolvedGroups ?? []).map(
      (g) => `group ${g} was not resolved (the gate opened before groups came from the directory)`,
    ),
    ...(gate.escalateTo && gate.escalatedAt === undefined
      ? [`the members of ${gate.escalateTo.join(', ')} may decide once the gate escalates`]
      : []),
  ];
  return [people.join(', ') || 'nobody', ...notes].join('; ');
}

/** What a policy naming groups needs, said once for the activity, the workflow and the tests. */
export function directoryRequiredMessage(groups: readonly string[]): string {
  return `the approval policy names approver groups (${groups.join(', ')}) but this worker has no directory of people: set \`directory\` in slipway.config.json (or SLIPWAY_DIRECTORY) to a JSON or YAML file listing people and their groups, or name the approvers in the policy`;
}

/** The people of a directory as `resolveApprovers` reads them: groups and, when known, a public key. */
export type DirectoryPeopleView = Record<string, { groups: readonly string[]; publicKey?: string | undefined }>;

/** A directory as `resolveApprovers` reads it: its people, its digest and the services it trusts. */
export interface DirectoryView {
  people: DirectoryPeopleView;
  digest: string;
  services?: DirectoryServicesView | undefined;
}

/** What `resolveApprovers` resolves: a policy's approvers and groups, its escalation groups when asked. */
export type ApproverRequest = Pick<ApprovalPolicy, 'approvers' | 'approverGroups'> & {
  lookup?: readonly string[] | undefined;
  /**
   * The policy's escalation groups, when the gate has escalated (or a proof is checked): their members not
   * otherwise eligible are added with `escalated: true`.
   */
  escalateTo?: readonly string[] | undefined;
};

/**
 * Resolves who may decide: the policy's named approvers, and every person the directory puts in one of the
 * policy's groups (a person named by a group but absent from the directory is simply not an approver), each with
 * their public key when the directory has one and the services the directory trusts to sign for them
 * (`delegates`); then, when `escalateTo` is given, the members of those groups not already eligible, marked
 * `escalated`; and `keys`, the public keys of the people named in `lookup` that the directory has (present whenever
 * `lookup` is given). Pure: the activity that reads the directory calls it, and so does the workflow for policies
 * without groups. Throws when the policy names groups (or escalation groups) and no directory is given.
 */
export function resolveApprovers(policy: ApproverRequest, directory?: DirectoryView): ApproverResolution {
  const groupsNeeded = [...policy.approverGroups, ...(policy.escalateTo ?? [])];
  if (groupsNeeded.length > 0 && directory === undefined) throw new Error(directoryRequiredMessage(groupsNeeded));
  const people = directory?.people ?? {};
  const personOf = (name: string) => (Object.hasOwn(people, name) ? people[name] : undefined);
  const resolved = (name: string, named: boolean, groupsOfPolicy: readonly string[]): ResolvedApprover => {
    const person = personOf(name);
    const groups = groupsOfPolicy.filter((g) => person?.groups.includes(g) === true);
    const delegates = delegatesOf(directory?.services, name, person?.groups ?? []);
    return {
      name,
      named,
      groups,
      ...(person?.publicKey ? { publicKey: person.publicKey } : {}),
      ...(delegates.length > 0 ? { delegates } : {}),
    };
  };
  const byName = new Map<string, ResolvedApprover>();
  const sortedNames = Object.keys(people).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (const name of policy.approvers) byName.set(name, resolved(name, true, policy.approverGroups));
  for (const name of sortedNames) {
    const approver = resolved(name, false, policy.approverGroups);
    if (approver.groups.length > 0 && !byName.has(name)) byName.set(name, approver);
  }
  // Named approvers in the policy's order, then the members of its groups by name, then escalation by name.
  const approvers = [...byName.values()];
  const emptyGroups = policy.approverGroups.filter((g) => !approvers.some((a) => a.groups.includes(g)));
  const escalateTo = policy.escalateTo ?? [];
  for (const name of escalateTo.length > 0 ? sortedNames : []) {
    const approver = resolved(name, false, escalateTo);
    if (approver.groups.length > 0 && !byName.has(name)) approvers.push({ ...approver, escalated: true });
  }
  const keys = policy.lookup?.flatMap((name) => {
    const key = personOf(name)?.publicKey;
    return key ? [[name, key] as const] : [];
  });
  return {
    approvers,
    directoryDigest: directory ? directory.digest : null,
    emptyGroups,
    ...(keys ? { keys: Object.fromEntries(keys) } : {}),
  };
}

/** How `autoApprovalReason` reads a rule's direction. */
export interface AutoApprovalRules {
  /**
   * Only for gates of runs started before metric goals (see the gate's `metricGoals` patch): the direction comes
   * from the rule's `lowerIsBetter` flag alone, and any metric name is taken. Never for a new gate.
   */
  legacy?: boolean;
}

/**
 * Whether the candidate beats the champion by the policy's auto-approve margin, in the metric's better direction
 * (`metricGoal`: auc must rise by the margin, rmse fall by it); returns the reason, or undefined when the rule does
 * not apply (no rule, no champion, a metric missing on either side or unknown to Slipway, margin not met).
 */
export function autoApprovalReason(
  policy: ApprovalPolicy,
  evidence: EvidencePacket,
  rules: AutoApprovalRules = {},
): string | undefined {
  const rule = policy.autoApprove;
  if (!rule || !evidence.champion) return undefined;
  const candidate = evidence.candidate.metrics[rule.metric];
  const champion = evidence.champion.metrics[rule.metric];
  if (candidate === undefined || champion === undefined) return undefined;
  const goal = rules.legacy ? (rule.lowerIsBetter ? MetricGoal.lower : MetricGoal.higher) : metricGoal(rule.metric);
  if (goal === undefined || (!rules.legacy && autoApproveRuleProblem(rule) !== undefined)) return undefined;
  const improvement = improvementOf(goal, candidate, champion);
  if (improvement < rule.minImprovement) return undefined;
  const direction = rules.legacy ? '' : ` (${goal} is better)`;
  return `${rule.metric} ${candidate.toFixed(4)} vs champion v${evidence.champion.version} ${champion.toFixed(4)}${direction}: improvement ${improvement.toFixed(4)} ≥ ${rule.minImprovement}`;
}

function refuse(type: GateRefusal, message: string): DecisionCheck {
  return { ok: false, refusal: { type, message } };
}

function closedMessage(gate: GateState): string {
  const last = gate.decisions.at(-1);
  const by = last ? ` (last decision: ${last.decision} by ${last.approver} at ${last.at})` : '';
  return `the gate for ${gate.model} v${gate.version} is closed: ${gate.status}${by}`;
}

/**
 * A policy's approvers and groups without its escalation groups: who may act as the policy's people whether or not
 * its gate escalated (operators of a rollback or of a deploy on record).
 */
export function withoutEscalation(policy: Pick<ApprovalPolicy, 'approvers' | 'approverGroups'>): ApproverRequest {
  return { approvers: policy.approvers, approverGroups: policy.approverGroups };
}
