/**
 * Escalation at an approval gate: once nobody has decided within the policy's `escalateAfter`, the members of its
 * `escalateTo` groups (resolved from the directory then) may decide too. Pure, so tests call it directly.
 */
import type { GateState } from '../schemas/approval.js';
import type { ApproverResolution, ResolvedApprover } from '../schemas/directory.js';

/**
 * The people an escalation adds to a gate: those the widened resolution marks `escalated` who are not eligible
 * already, each kept `escalated` (with their key and the services trusted for them).
 */
export function escalatedEligible(
  gate: Pick<GateState, 'eligible'>,
  widened: Pick<ApproverResolution, 'approvers'>,
): ResolvedApprover[] {
  const known = new Set(gate.eligible.map((e) => e.name));
  return widened.approvers.filter((a) => a.escalated === true && !known.has(a.name));
}
