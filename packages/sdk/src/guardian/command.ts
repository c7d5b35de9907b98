/**
 * The rules for an operator's command to a model guardian (pause, resume, stop), pure so workflow code applies them
 * and tests call them directly: the operator must be one of the people the retrain's approval policy lets decide
 * (resolved from the directory of people, with their keys), and the command must carry their signature over a
 * payload bound to this guardian (its workflow id and the nonce it published), made within its window.
 */
import { GuardianRefusal } from '../errors.js';
import { findOperator, verifyOperatorSignature, type OperatorRefusal } from '../operator-command.js';
import type { ResolvedApprover } from '../schemas/directory.js';
import { GuardianCommandRequest } from '../schemas/guardian.js';
import { describeIssues } from '../step.js';

/** The result of checking a guardian command: the parsed, signed request, or the refusal. */
export type GuardianCommandCheck =
  | { ok: true; request: GuardianCommandRequest & { at: string; signature: string } }
  | { ok: false; refusal: OperatorRefusal<GuardianRefusal> };

/**
 * Checks a command against the guardian's state and who may command it (`operators`: null until resolved).
 * `nowMs` is the workflow's time. Refuses, naming the reason: a malformed command, a stopped guardian, an operator
 * the policy does not name (or who has no key), a command that does not apply now, an unsigned command, a signature
 * made for another guardian, with another key, too long ago or in the future.
 */
export function checkGuardianCommand(
  state: { stopped: boolean; pausedBy: string | null; nonce: string; since: string },
  workflowId: string,
  raw: unknown,
  operators: readonly ResolvedApprover[] | null,
  nowMs: number,
): GuardianCommandCheck {
  const parsed = GuardianCommandRequest.safeParse(raw);
  if (!parsed.success) {
    return refuse(GuardianRefusal.InvalidCommand, `invalid guardian command: ${describeIssues(parsed.error)}`);
  }
  const request = parsed.data;
  if (state.stopped) return refuse(GuardianRefusal.GuardianStopped, 'the guardian was stopped: it takes no commands');
  if (operators === null) {
    return refuse(
      GuardianRefusal.OperatorNotAllowed,
      'the guardian has not resolved who may command it yet: try again',
    );
  }
  const found = findOperator('guardian', request.operator, operators, GuardianRefusal);
  if ('refusal' in found) return { ok: false, refusal: found.refusal };
  if (request.command === 'pause' && state.pausedBy !== null) {
    return refuse(GuardianRefusal.CommandNotApplicable, `the guardian is already paused (${state.pausedBy})`);
  }
  if (request.command === 'resume' && state.pausedBy === null) {
    return refuse(GuardianRefusal.CommandNotApplicable, 'the guardian is not paused: there is nothing to resume');
  }
  const target = { kind: 'guardian', workflowId, nonce: state.nonce, since: state.since } as const;
  const verified = verifyOperatorSignature(target, request, found.operator, nowMs, GuardianRefusal);
  if ('refusal' in verified) return { ok: false, refusal: verified.refusal };
  return { ok: true, request: { ...request, ...verified.signed } };
}

function refuse(type: GuardianRefusal, message: string): GuardianCommandCheck {
  return { ok: false, refusal: { type, message } };
}
