/**
 * The rules for an operator's command to a run whose deploy failed after its approval (`retry`, `abort`), pure so
 * workflow code applies them and tests call them directly: the run must be waiting for one, the operator must be one
 * of the people the run's approval policy lets decide (with their key from the directory of people), and the command
 * must carry their signature over a payload bound to this run and this wait (see `operator-command.ts`).
 */
import { DeployRefusal } from './errors.js';
import { findOperator, verifyOperatorSignature, type OperatorRefusal } from './operator-command.js';
import type { ResolvedApprover } from './schemas/directory.js';
import { DeployCommandRequest, type DeployWaitState } from './schemas/deploy-wait.js';
import { describeIssues } from './step.js';

/** The result of checking a deploy command: the parsed, signed request, or the refusal. */
export type DeployCommandCheck =
  | { ok: true; request: DeployCommandRequest & { at: string; signature: string } }
  | { ok: false; refusal: OperatorRefusal<DeployRefusal> };

/**
 * Checks a deploy command against the run's wait state (null while its deploy has not failed) and who may command
 * it. `nowMs` is the workflow's time. Refuses, naming the reason: a malformed command, a run not waiting, an
 * operator the policy does not name (or who has no key), an unsigned command, a signature made for another wait or
 * run, with another key, too long ago or in the future.
 */
export function checkDeployCommand(
  state: Pick<DeployWaitState, 'phase' | 'nonce' | 'since'> | null,
  workflowId: string,
  raw: unknown,
  operators: readonly ResolvedApprover[],
  nowMs: number,
): DeployCommandCheck {
  const parsed = DeployCommandRequest.safeParse(raw);
  if (!parsed.success) {
    return refuse(DeployRefusal.InvalidCommand, `invalid deploy command: ${describeIssues(parsed.error)}`);
  }
  const request = parsed.data;
  if (state === null || state.phase !== 'waiting') {
    const now = state === null ? 'its deploy has not failed' : `its deploy is ${state.phase}`;
    return refuse(
      DeployRefusal.NotWaiting,
      `this run is not waiting for an operator (${now}): it takes no deploy commands`,
    );
  }
  const found = findOperator('deploy', request.operator, operators, DeployRefusal);
  if ('refusal' in found) return { ok: false, refusal: found.refusal };
  const target = { kind: 'deploy', workflowId, nonce: state.nonce, since: state.since } as const;
  const verified = verifyOperatorSignature(target, request, found.operator, nowMs, DeployRefusal);
  if ('refusal' in verified) return { ok: false, refusal: verified.refusal };
  return { ok: true, request: { ...request, ...verified.signed } };
}

function refuse(type: DeployRefusal, message: string): DeployCommandCheck {
  return { ok: false, refusal: { type, message } };
}
