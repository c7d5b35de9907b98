/**
 * The rules for an operator's command to a running rollout (pause, resume, promote now, abort), pure so the saga
 * applies them in workflow code and tests call them directly: the operator must be one of the people the run's
 * approval policy lets decide (resolved from the directory of people, with their keys), and the command must carry
 * their signature over a payload bound to this rollout (its workflow id and nonce), made within its window.
 */
import { describeIssues } from './step.js';
import { RolloutRefusal } from './errors.js';
import { findOperator, operatorCommandPayload, verifyOperatorSignature } from './operator-command.js';
import type { ResolvedApprover } from './schemas/directory.js';
import { RolloutCommandRequest, type RolloutState } from './schemas/rollout-state.js';
import type { RolloutCommandPayload } from './signing/payloads.js';

/** Why a command was refused: a `RolloutRefusal` type and a sentence for the operator. */
export interface RolloutCommandRefusal {
  type: RolloutRefusal;
  message: string;
}

/** The result of checking a command: the parsed request, or the refusal. */
export type RolloutCommandCheck =
  | { ok: true; request: RolloutCommandRequest & { at: string; signature: string } }
  | { ok: false; refusal: RolloutCommandRefusal };

/** The payload a command's signature covers, rebuilt from the request and the rollout it was sent to. */
export function rolloutCommandPayload(
  rollout: { workflowId: string; nonce: string },
  request: Pick<RolloutCommandRequest, 'command' | 'operator' | 'reason'> & { at: string },
): RolloutCommandPayload {
  return operatorCommandPayload({ kind: 'rollout', ...rollout }, request) as RolloutCommandPayload;
}

/**
 * Who started the run that approved the version, and whether its policy lets them approve it: under separation of
 * duties they may not promote it early (a promotion is an approval); pausing and aborting are open to every operator.
 */
export interface SeparationOfDuties {
  startedBy?: string | undefined;
  allowSelfApproval?: boolean | undefined;
}

/** The phases in which a rollout takes no more commands. */
const CLOSED_PHASES: ReadonlySet<RolloutState['phase']> = new Set([
  'promoting',
  'draining',
  'compensating',
  'promoted',
  'rolled_back',
]);

/**
 * Checks a command against the rollout's state and who may command it (`operators`: null until the saga resolved
 * them). `nowMs` is the workflow's time. Refuses, naming the reason: a malformed command, a closed rollout, an
 * operator the policy does not name (or who has no key), a command that does not apply now, an unsigned command,
 * a signature made for another rollout, with another key, too long ago or in the future; an early promotion by
 * whoever started the approving run, unless its policy allows self-approval.
 */
export function checkRolloutCommand(
  state: Pick<RolloutState, 'phase' | 'pausedBy' | 'nonce' | 'startedAt'>,
  workflowId: string,
  raw: unknown,
  operators: readonly ResolvedApprover[] | null,
  nowMs: number,
  duties: SeparationOfDuties = {},
): RolloutCommandCheck {
  const parsed = RolloutCommandRequest.safeParse(raw);
  if (!parsed.success) {
    return refuse(RolloutRefusal.InvalidCommand, `invalid rollout command: ${describeIssues(parsed.error)}`);
  }
  const request = parsed.data;
  const who = request.operator;
  if (CLOSED_PHASES.has(state.phase)) {
    return refuse(
      RolloutRefusal.RolloutClosed,
      `the rollout is ${state.phase.replace('_', ' ')}: it takes no commands`,
    );
  }
  if (operators === null) {
    return refuse(RolloutRefusal.OperatorNotAllowed, 'the rollout has not resolved who may command it yet: try again');
  }
  const found = findOperator('rollout', who, operators, RolloutRefusal);
  if ('refusal' in found) return { ok: false, refusal: found.refusal };
  if (request.command === 'promote' && who === duties.startedBy && duties.allowSelfApproval !== true) {
    return refuse(
      RolloutRefusal.OperatorNotAllowed,
      `${who} started the run that approved this version and may not promote it early (the policy does not allow self-approval); pause and abort stay open to them`,
    );
  }
  const notApplicable = applicability(request.command, state.pausedBy);
  if (notApplicable) return refuse(RolloutRefusal.CommandNotApplicable, notApplicable);
  const target = { kind: 'rollout', workflowId, nonce: state.nonce, since: state.startedAt } as const;
  const verified = verifyOperatorSignature(target, request, found.operator, nowMs, RolloutRefusal);
  if ('refusal' in verified) return { ok: false, refusal: verified.refusal };
  return { ok: true, request: { ...request, ...verified.signed } };
}

function applicability(command: RolloutCommandRequest['command'], pausedBy: string | null): string | undefined {
  if (command === 'pause' && pausedBy !== null) return `the rollout is already paused (${pausedBy})`;
  if (command === 'resume' && pausedBy === null) return 'the rollout is not paused: there is nothing to resume';
  return undefined;
}

function refuse(type: RolloutRefusal, message: string): RolloutCommandCheck {
  return { ok: false, refusal: { type, message } };
}
