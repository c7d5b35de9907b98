/**
 * Sending an operator's signed command (to a rollout, a run whose deploy failed, or a model guardian), in one
 * place: a command needs a reason, is signed with the operator's key for one target (its workflow id and the nonce
 * it published), and is sent as a Workflow Update whose refusal comes back as a `SlipwayClientError`.
 */
import type { Client } from '@temporalio/client';
import type { OperatorCommandKind } from '../operator-command.js';
import type { PersonKey } from '../keys/person-keys.js';
import { ClientErrorCode, SlipwayClientError, gateError, isNotFound } from './errors.js';
import { signOperatorCommand, type KeyFinder } from './signing.js';

/** What sending an operator command needs from the client. */
export interface OperatorClientContext {
  temporal: Client;
  keyOf: (given: PersonKey | undefined) => KeyFinder;
  withDeadline: <T>(ms: number, fn: () => Promise<T>) => Promise<T>;
  timeoutMs: number;
}

/** One command to one target, as the operator gives it. */
export interface OperatorCommandSend {
  target: { kind: OperatorCommandKind; workflowId: string; nonce: string };
  /** The Update the target takes commands by. */
  update: string;
  command: string;
  operator: string;
  reason: string;
  key?: PersonKey | undefined;
  /** The error for a target that no longer runs (default: the refusal as the update reported it). */
  whenGone?: (cause: unknown) => SlipwayClientError;
}

/** Refuses a command without a reason: every command is kept with its reason. */
export function requireReason(what: string, reason: string): void {
  if (!reason.trim())
    throw new SlipwayClientError(ClientErrorCode.InvalidInput, `${what} needs a reason, for its record`);
}

/** Signs the command as its operator for its target and sends it; refusals throw with the target's reason. */
export async function sendOperatorCommand<S>(ctx: OperatorClientContext, send: OperatorCommandSend): Promise<S> {
  const { target } = send;
  const request = await signOperatorCommand(
    target,
    { command: send.command, operator: send.operator, reason: send.reason },
    ctx.keyOf(send.key),
  );
  try {
    return await ctx.withDeadline(ctx.timeoutMs, () =>
      ctx.temporal.workflow.getHandle(target.workflowId).executeUpdate<S, [typeof request]>(send.update, {
        args: [request],
      }),
    );
  } catch (err) {
    if (send.whenGone && isNotFound(err)) throw send.whenGone(err);
    throw gateError(err, target.workflowId);
  }
}
