/**
 * The signatures of the decisions on an audit log's approval lines, checked against the directory of people:
 * beside the hash chain (which proves the lines were not changed after they were written, by whoever holds the
 * log's key), this proves each decision was made by the person it names, over that gate and that evidence. A
 * decision whose signature was altered, or a line re-chained with a forged decision, is caught even when the chain
 * itself verifies.
 */
import { GateDecision } from '@slipway/sdk';
import { z } from 'zod';
import { decisionKeyOf, decisionSignatureProblem } from '../approval/signatures.js';
import type { LoadedDirectory } from '../directory/load-directory.js';
import type { AuditEntry } from './audit-entry.js';

/** A decision whose signature could not be checked, and why (its approver has no key in the directory). */
export interface UncheckedDecision {
  line: number;
  approver: string;
  reason: string;
}

/** What {@link checkDecisionSignatures} found. */
export interface DecisionSignatures {
  /** False when a decision's signature does not verify (see `broken`). */
  ok: boolean;
  /** Approval lines whose decisions are signed. */
  lines: number;
  /** Decisions whose signature verified against the directory. */
  verified: number;
  /** Approval lines written before decisions were signed (no gate nonce, no signature): nothing to check. */
  legacy: number;
  /** Set when no directory was given: how many signed decisions went unchecked. */
  noDirectory?: { decisions: number };
  /** Signed decisions that could not be checked against the directory (the approver has no key in it). */
  unchecked: UncheckedDecision[];
  /** The first decision whose signature does not verify: its line, its approver and what is wrong. */
  broken?: { line: number; approver: string; message: string };
}

const ApprovalData = z.object({
  decisions: z.array(GateDecision),
  evidenceDigest: z.string().optional(),
  workflowId: z.string().optional(),
  gateNonce: z.string().optional(),
});

/**
 * Checks every person's decision on the `approval` lines of `entries` against `directory` (see
 * `decisionSignatureProblem`): the payload is rebuilt from the line (workflow id, gate nonce, evidence digest,
 * decision, approver, comment, signed time). A line without a gate nonce whose decisions carry no signature was
 * written before decisions were signed and is counted as `legacy`; on any other line every person's decision must
 * carry a signature that verifies. Without a directory nothing is verified: the signed decisions are counted in
 * `noDirectory`. Decisions made by the policy (auto-approve, timeout) carry no signature and are not checked here.
 */
export function checkDecisionSignatures(
  entries: readonly AuditEntry[],
  directory: LoadedDirectory | undefined,
): DecisionSignatures {
  const result: DecisionSignatures = { ok: true, lines: 0, verified: 0, legacy: 0, unchecked: [] };
  for (const entry of entries) {
    if (entry.kind !== 'approval') continue;
    const broken = checkLine(entry, directory, result);
    if (broken !== undefined) return { ...result, ok: false, broken: { line: entry.seq, ...broken } };
  }
  return result;
}

function checkLine(
  entry: AuditEntry,
  directory: LoadedDirectory | undefined,
  result: DecisionSignatures,
): { approver: string; message: string } | undefined {
  const parsed = ApprovalData.safeParse(entry.data);
  if (!parsed.success) return { approver: entry.actor ?? '?', message: 'its decisions are not valid decisions' };
  const data = parsed.data;
  const people = data.decisions.filter((d) => d.via !== 'policy');
  if (data.gateNonce === undefined && people.every((d) => d.signature === undefined)) {
    result.legacy += 1;
    return undefined;
  }
  if (people.length > 0) result.lines += 1;
  for (const decision of people) {
    const { approver } = decision;
    if (data.gateNonce === undefined || data.workflowId === undefined || data.evidenceDigest === undefined) {
      return {
        approver,
        message: 'the line carries a signed decision but no gate nonce, workflow id or evidence digest',
      };
    }
    if (directory === undefined) {
      result.noDirectory = { decisions: (result.noDirectory?.decisions ?? 0) + 1 };
      continue;
    }
    const key = decisionKeyOf(directory.directory, decision, directory.location);
    // A service the directory does not (or no longer) trust for the approver is a broken decision, not a gap.
    if ('problem' in key && decision.signedBy !== undefined) {
      return { approver, message: `${approver}'s ${decision.decision} signed by ${decision.signedBy}: ${key.problem}` };
    }
    if ('problem' in key) {
      result.unchecked.push({ line: entry.seq, approver, reason: key.problem });
      continue;
    }
    const gate = { workflowId: data.workflowId, gateNonce: data.gateNonce, evidenceDigest: data.evidenceDigest };
    const problem = decisionSignatureProblem(decision, gate, key.publicKey);
    if (problem !== undefined) return { approver, message: `${approver}'s ${decision.decision}: ${problem}` };
    result.verified += 1;
  }
  return undefined;
}
