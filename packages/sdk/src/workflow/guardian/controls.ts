/**
 * A guardian's live state and the messages it answers: the status Query, and the Update by which an operator
 * pauses, resumes or stops it (signed, and refused, writing nothing, unless the operator is one of the retrain's
 * approval policy's approvers and the signature verifies for this guardian).
 */
import { ApplicationFailure, defineQuery, defineUpdate, log, setHandler, workflowInfo } from '@temporalio/workflow';
import { checkGuardianCommand } from '../../guardian/command.js';
import { guardianStatus, keepLast, type StatusSettings } from '../../guardian/state.js';
import { SlipwayMessage } from '../../messages.js';
import type { ResolvedApprover } from '../../schemas/directory.js';
import type {
  AcceptedGuardianCommand,
  GuardianCarry,
  GuardianCommandRequest,
  GuardianStatus,
} from '../../schemas/guardian.js';

/** Update: pause, resume or stop; answers with the guardian's status after the command. */
export const guardianCommandUpdate = defineUpdate<GuardianStatus, [GuardianCommandRequest]>(
  SlipwayMessage.guardianCommand,
);
/** Query: the guardian's status. */
export const guardianStatusQuery = defineQuery<GuardianStatus>(SlipwayMessage.guardianStatus);

/** The live state of a guardian and what operators asked of it. */
export interface GuardianControls {
  /** The carried state: the loop changes it in place. */
  readonly carry: GuardianCarry;
  phase: GuardianStatus['phase'];
  /** Who may command the guardian, once resolved. */
  setOperators(operators: ResolvedApprover[]): void;
  /** The accepted stop, once an operator stopped the guardian. */
  stopped(): AcceptedGuardianCommand | undefined;
  paused(): boolean;
  status(): GuardianStatus;
}

/**
 * Registers the guardian's Query and Update over `carry`. Call it at the top of the workflow function, before any
 * `await`, so the handlers exist from the first moment.
 */
export function createGuardianControls(carry: GuardianCarry, settings: StatusSettings): GuardianControls {
  // A run continued as new takes commands with the operators the run before resolved, until it resolves them again.
  let operators: ResolvedApprover[] | null = carry.resolvedOperators ?? null;
  let stop: AcceptedGuardianCommand | undefined;
  const workflowId = workflowInfo().workflowId;
  const controls: GuardianControls = {
    carry,
    phase: 'starting',
    setOperators(resolved) {
      operators = resolved;
      carry.resolvedOperators = resolved;
    },
    stopped: () => stop,
    paused: () => carry.pausedBy !== null,
    status: () =>
      guardianStatus(carry, settings, {
        phase: stop ? 'stopped' : carry.pausedBy !== null ? 'paused' : controls.phase,
        operators: operators?.map((o) => o.name) ?? null,
        nowMs: Date.now(),
      }),
  };
  const check = (raw: unknown) =>
    checkGuardianCommand({ ...carry, stopped: stop !== undefined }, workflowId, raw, operators, Date.now());

  setHandler(guardianStatusQuery, () => controls.status());
  setHandler(
    guardianCommandUpdate,
    (raw) => {
      const checked = check(raw);
      if (!checked.ok) throw ApplicationFailure.nonRetryable(checked.refusal.message, checked.refusal.type);
      const { command, operator, reason, at, signature } = checked.request;
      const accepted = { command, operator, reason, at: new Date().toISOString(), signedAt: at, signature };
      keepLast(carry.commands, accepted);
      if (command === 'pause') carry.pausedBy = `${operator}: ${reason}`;
      else if (command === 'resume') carry.pausedBy = null;
      else stop = accepted;
      return controls.status();
    },
    {
      validator: (raw) => {
        const checked = check(raw);
        if (checked.ok) return;
        const named = (raw as { operator?: unknown } | null)?.operator;
        log.warn('Refused a guardian command', {
          operator: typeof named === 'string' ? named : '?',
          reason: checked.refusal.message,
        });
        throw ApplicationFailure.nonRetryable(checked.refusal.message, checked.refusal.type);
      },
      description: "Pause, resume or stop the guardian; refused unless signed by one of the retrain policy's approvers",
    },
  );
  return controls;
}
