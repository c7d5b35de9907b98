/**
 * What a gate publishes in its run's memo (`SlipwayMemo.gate`) so that lists of gates need the visibility store
 * alone: its status, model and version, evidence digest, times, quorum, who may decide and a one-line headline of
 * the candidate against the champion. Pure, so the gate builds it in workflow code and the client rebuilds it from
 * a gate's state for runs whose gate opened before the memo.
 */
import { evidenceComparison } from './metric-goals.js';
import type { EvidencePacket, GateListing, GateState } from './schemas/approval.js';

/** The most names a listing carries in `approvers`: the memo stays small whatever the groups hold. */
export const LISTED_APPROVERS = 50;
/** The metrics a headline names. */
const HEADLINE_METRICS = 3;

/**
 * The listing of a gate from its state: `approvers` are the names who may decide now (at most
 * {@link LISTED_APPROVERS}), `approvals` the distinct people (or the policy) who approved.
 */
export function gateListing(gate: GateState): GateListing {
  const approvals = new Set(gate.decisions.filter((d) => d.decision === 'approve').map((d) => d.approver)).size;
  return {
    status: gate.status,
    model: gate.model,
    version: gate.version,
    evidenceDigest: gate.evidence.digest,
    openedAt: gate.openedAt,
    deadline: gate.deadline,
    quorum: gate.quorum,
    approvals,
    approvers: gate.eligible.slice(0, LISTED_APPROVERS).map((e) => e.name),
    approverGroups: gate.approverGroups,
    ...(gate.escalateTo ? { escalateTo: gate.escalateTo } : {}),
    ...(gate.escalatedAt ? { escalatedAt: gate.escalatedAt } : {}),
    ...(gate.startedBy ? { startedBy: gate.startedBy } : {}),
    ...(gate.closedAt ? { closedAt: gate.closedAt } : {}),
    headline: evidenceHeadline(gate.evidence),
    ...(gate.nonce ? { nonce: gate.nonce } : {}),
  };
}

/**
 * One line on the candidate against the champion: its task metrics (at most three) with the change and whether it
 * is better, e.g. `auc 0.840 (+0.030 better) accuracy 0.810 (-0.002 worse) vs v3`; its own metrics when it has
 * none of its task's; `vs no champion` when there is none.
 */
export function evidenceHeadline(evidence: Pick<EvidencePacket, 'candidate' | 'champion' | 'task' | 'comparison'>) {
  const rows = evidenceComparison(evidence).filter((c) => c.candidate !== null);
  const metrics =
    rows.length > 0
      ? rows.slice(0, HEADLINE_METRICS).map((c) => {
          const change = c.delta === null ? '' : ` (${c.delta > 0 ? '+' : ''}${c.delta.toFixed(3)} ${c.verdict ?? ''})`;
          return `${c.metric} ${(c.candidate as number).toFixed(3)}${change.replace(' )', ')')}`;
        })
      : Object.keys(evidence.candidate.metrics)
          .sort()
          .slice(0, HEADLINE_METRICS)
          .map((m) => `${m} ${(evidence.candidate.metrics[m] as number).toFixed(3)}`);
  const against = evidence.champion ? `vs v${evidence.champion.version}` : 'vs no champion';
  return [...metrics, against].join(' ');
}
