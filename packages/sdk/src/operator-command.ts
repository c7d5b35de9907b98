/**
 * The one check of an operator's signed command to a running workflow (a rollout's pause, resume, promote, abort; a
 * failed deploy's retry, abort): the operator must be one of the people the run's approval policy lets decide
 * (resolved from the directory of people, with their keys), and the command must carry their signature over a
 * payload bound to this workflow and the nonce it published, made within its window. Pure, so workflow code applies
 * it and tests call it directly; each kind of command adds its own rules around it (`rollout-command.ts`,
 * `deploy-command.ts`).
 */
import { timeWindowProblem } from './decision-signature.js';
import type { ResolvedApprover } from './schemas/directory.js';
import {
  SigningDomain,
  verifyPayload,
  type DeployCommandPayload,
  type GuardianCommandPayload,
  type RolloutCommandPayload,
} from './signing/payloads.js';

/** The kinds of operator command, each with its own signing domain and payload. */
export type OperatorCommandKind = 'rollout' | 'deploy' | 'guardian';

/** What a command is bound to: the workflow, the nonce it published, and since when it takes commands. */
export interface OperatorCommandTarget {
  kind: OperatorCommandKind;
  workflowId: string;
  nonce: string;
  /** When the workflow began taking these commands (ISO time): a command signed before it is refused. */
  since: string;
}

/** A command's signed fields. */
export interface OperatorCommandFields {
  command: string;
  operator: string;
  reason: string;
  at?: string | undefined;
  signature?: string | undefined;
}

/** The refusal types of one kind of command. */
export interface OperatorRefusalTypes<T extends string> {
  InvalidCommand: T;
  OperatorNotAllowed: T;
  UnsignedCommand: T;
  BadSignature: T;
}

/** Why a command was refused: its type and a sentence for the operator. */
export interface OperatorRefusal<T extends string = string> {
  type: T;
  message: string;
}

/** How messages name the thing commanded (`rollout` → "this rollout", "a rollout", "another rollout"). */
const NOUN: Record<OperatorCommandKind, string> = { rollout: 'rollout', deploy: "run's deploy", guardian: 'guardian' };

/** The signing domain of a kind of command. */
export function operatorCommandDomain(kind: OperatorCommandKind): SigningDomain {
  if (kind === 'guardian') return SigningDomain.guardianCommand;
  return kind === 'rollout' ? SigningDomain.rolloutCommand : SigningDomain.deployCommand;
}

/** The payload a command's signature covers, rebuilt from the command and the target it was sent to. */
export function operatorCommandPayload(
  target: Pick<OperatorCommandTarget, 'kind' | 'workflowId' | 'nonce'>,
  request: Pick<OperatorCommandFields, 'command' | 'operator' | 'reason'> & { at: string },
): RolloutCommandPayload | DeployCommandPayload | GuardianCommandPayload {
  const fields = { command: request.command, operator: request.operator, reason: request.reason, at: request.at };
  if (target.kind === 'guardian') {
    return { workflowId: target.workflowId, guardianNonce: target.nonce, ...fields } as GuardianCommandPayload;
  }
  if (target.kind === 'rollout') {
    return { workflowId: target.workflowId, rolloutNonce: target.nonce, ...fields } as RolloutCommandPayload;
  }
  return { workflowId: target.workflowId, deployNonce: target.nonce, ...fields } as DeployCommandPayload;
}

/**
 * Finds the operator among those who may command (`operators`), or the refusal naming who may. `operators` is the
 * policy's resolved approvers.
 */
export function findOperator<T extends string>(
  kind: OperatorCommandKind,
  who: string,
  operators: readonly ResolvedApprover[],
  types: OperatorRefusalTypes<T>,
): { operator: ResolvedApprover } | { refusal: OperatorRefusal<T> } {
  const operator = operators.find((o) => o.name === who);
  if (operator) return { operator };
  const allowed = operators.map((o) => o.name).join(', ') || 'nobody (the policy names no approver)';
  return {
    refusal: {
      type: types.OperatorNotAllowed,
      message: `${who} may not command this ${NOUN[kind]}: only the approval policy's approvers may (${allowed})`,
    },
  };
}

/**
 * Checks a command's signature: present, by an operator with a key, made within its window (not before the target
 * began taking commands, not in the future, not stale), and verifying with the operator's key over the payload
 * bound to this target. Answers the signed time and signature when it holds, else the refusal.
 */
export function verifyOperatorSignature<T extends string>(
  target: OperatorCommandTarget,
  request: OperatorCommandFields,
  operator: ResolvedApprover,
  nowMs: number,
  types: OperatorRefusalTypes<T>,
): { signed: { at: string; signature: string } } | { refusal: OperatorRefusal<T> } {
  const { command, operator: who } = request;
  const noun = NOUN[target.kind];
  const refuse = (type: T, message: string) => ({ refusal: { type, message } });
  if (request.signature === undefined || request.at === undefined) {
    return refuse(
      types.UnsignedCommand,
      `the ${command} command by ${who} is not signed: a ${noun} accepts only commands signed with the operator's key (SlipwayClient and the CLI sign them)`,
    );
  }
  if (operator.publicKey === undefined) {
    return refuse(
      types.OperatorNotAllowed,
      `${who} has no public key in the directory of people, so no command of theirs can be verified`,
    );
  }
  const at = Date.parse(request.at);
  if (Number.isNaN(at)) return refuse(types.InvalidCommand, `the command's time ${request.at} is not a time`);
  const SINCE: Record<OperatorCommandKind, string> = {
    rollout: 'this rollout started',
    deploy: "this run's deploy began waiting",
    guardian: 'this guardian started',
  };
  const since = SINCE[target.kind];
  const window = timeWindowProblem(
    at,
    Date.parse(target.since),
    nowMs,
    `${since} (a command made for another ${noun})`,
  );
  if (window) return refuse(types.BadSignature, `the ${command} command by ${who} was ${window}`);
  const payload = operatorCommandPayload(target, { ...request, at: request.at });
  const domain = operatorCommandDomain(target.kind);
  if (!verifyPayload(domain, operator.publicKey, payload, request.signature)) {
    return refuse(
      types.BadSignature,
      `the signature of the ${command} command by ${who} does not verify with ${who}'s key from the directory: it was made with another key, altered after signing, or made for another ${noun}`,
    );
  }
  return { signed: { at: request.at, signature: request.signature } };
}
