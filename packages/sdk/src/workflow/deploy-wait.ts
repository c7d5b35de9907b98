/**
 * A failed deploy keeps its approval: when the deploy of an approved version fails after its retries (the model
 * server was down longer than the retry policy), the run does not fail. It records the failure, shows
 * `waiting for an operator: deploy failed (<reason>)` in its progress, and waits, holding no worker, for a signed
 * `retry` (deploy again, with the same approval) or `abort` (end the run; nothing serving changed) from one of the
 * people the approval policy lets decide. A final failure (not approved, a proof that does not verify, a failed smoke
 * check, a rollback) still fails as before.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  condition,
  defineUpdate,
  isCancellation,
  log,
  setHandler,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import { RetryState } from '@temporalio/common';
import { checkDeployCommand } from '../deploy-command.js';
import { failureType, rootMessage } from '../errors.js';
import { SlipwayMessage } from '../messages.js';
import type { AcceptedDeployCommand, DeployCommandRequest, DeployWaitState } from '../schemas/deploy-wait.js';
import type { ResolvedApprover } from '../schemas/directory.js';
import type { ModelVersionRef } from '../schemas/model.js';
import type { RunTracker } from './run-tracker.js';

/** Update: retry or abort a failed deploy; answers with the wait's state after the command. */
export const deployCommandUpdate = defineUpdate<DeployWaitState, [DeployCommandRequest]>(SlipwayMessage.deployCommand);

/** How many failures the state keeps (the oldest are dropped past it). */
const MAX_RECORDED_FAILURES = 20;

/** What a deploy that waits for an operator needs. */
export interface DeployWaitOptions {
  tracker: RunTracker;
  /** The tracked step the deploy runs as (its summary shows the wait). */
  step: string;
  version: ModelVersionRef;
  /** Who may retry or abort: the approval policy's approvers, with their keys. */
  operators: () => readonly ResolvedApprover[];
  /**
   * The `patched()` check of a workflow that deployed before failed deploys waited: called when a deploy fails, a
   * false answer (a run recorded before) fails the run as it did then.
   */
  waits?: () => boolean;
  /**
   * Records a failure in the registry before the run waits (the `recordDeployFailure` step); when recording fails
   * too, the run still waits and its progress says so.
   */
  recordFailure?: (failure: { reason: string; waitNonce: string }) => Promise<unknown>;
}

/** How a deploy that may wait ended: deployed (perhaps after retries), or aborted by an operator. */
export type DeployWaitOutcome<T> =
  { status: 'deployed'; value: T } | { status: 'aborted'; command: AcceptedDeployCommand };

/**
 * True when a deploy failed because its retries ran out (maximum attempts, or its retry timeout) rather than a
 * final failure: the activity's retry state, looked for through a child workflow's failure (the rollout child).
 */
export function deployRetriesExhausted(err: unknown): boolean {
  if (isCancellation(err)) return false;
  let current: unknown = err;
  for (let depth = 0; depth < 8 && current instanceof Error; depth++) {
    if (current instanceof ActivityFailure) {
      return current.retryState === RetryState.MAXIMUM_ATTEMPTS_REACHED || current.retryState === RetryState.TIMEOUT;
    }
    current = current.cause;
  }
  return false;
}

/**
 * Runs `attempt` (the deploy step, or the rollout child) until it deploys; when it fails after its retries, waits
 * for an operator's signed `retry` (attempt again) or `abort` (answer `aborted`). Registers the `deployCommand`
 * Update (refused, writing nothing, unless the run waits and the command is signed by an allowed operator) and
 * shows the wait in the run's progress.
 */
export async function deployWithOperator<T>(
  options: DeployWaitOptions,
  attempt: () => Promise<T>,
): Promise<DeployWaitOutcome<T>> {
  const { tracker, step, version } = options;
  const wait: Wait = { state: null, command: undefined };
  handleDeployCommands(wait, options.operators);
  for (;;) {
    try {
      const value = await attempt();
      if (wait.state) wait.state.phase = 'deployed';
      return { status: 'deployed', value };
    } catch (err) {
      if (!deployRetriesExhausted(err) || (options.waits !== undefined && !options.waits())) throw err;
      // Cleared before the run takes commands again, so one accepted while the failure is recorded is kept.
      wait.command = undefined;
      const state = recordFailure(wait.state, options, err);
      wait.state = state;
      const waiting = `waiting for an operator: deploy failed (${lastReason(state)})`;
      tracker.note(step, waiting);
      await options.recordFailure?.({ reason: lastReason(state), waitNonce: state.nonce }).catch((failure: unknown) => {
        tracker.note(step, `${waiting}; the failure could not be recorded in the registry: ${rootMessage(failure)}`);
      });
      const received = () => wait.command;
      await condition(() => received() !== undefined);
      const command = received() as AcceptedDeployCommand;
      if (command.command === 'abort') return { status: 'aborted', command };
      tracker.note(step, `retrying the deploy of v${version.version} (${command.operator}: ${command.reason})`);
    }
  }
}

/** A run's wait for an operator: its state (null until a deploy failed) and the command it accepted. */
interface Wait {
  state: DeployWaitState | null;
  command: AcceptedDeployCommand | undefined;
}

/** Registers the `deployCommand` Update: checked by its validator (a refusal writes nothing), applied to `wait`. */
function handleDeployCommands(wait: Wait, operators: () => readonly ResolvedApprover[]): void {
  const workflowId = workflowInfo().workflowId;
  const check = (raw: unknown) => checkDeployCommand(wait.state, workflowId, raw, operators(), Date.now());
  setHandler(
    deployCommandUpdate,
    (raw) => {
      const checked = check(raw);
      if (!checked.ok) throw ApplicationFailure.nonRetryable(checked.refusal.message, checked.refusal.type);
      const { command, operator, reason, at, signature } = checked.request;
      const accepted = { command, operator, reason, at: new Date().toISOString(), signedAt: at, signature };
      wait.command = accepted;
      const current = wait.state as DeployWaitState;
      current.commands.push(accepted);
      current.phase = command === 'retry' ? 'retrying' : 'aborted';
      return copy(current);
    },
    {
      validator: (raw) => {
        const checked = check(raw);
        if (checked.ok) return;
        log.warn('Refused a deploy command', { reason: checked.refusal.message });
        throw ApplicationFailure.nonRetryable(checked.refusal.message, checked.refusal.type);
      },
      description:
        "Retry or abort a deploy that failed after its approval; refused unless signed by the policy's approvers",
    },
  );
}

/** The wait's state after one more failure: a new nonce and start, the failure appended. */
function recordFailure(state: DeployWaitState | null, options: DeployWaitOptions, err: unknown): DeployWaitState {
  const now = new Date().toISOString();
  const type = failureType(err);
  const failure = { at: now, reason: rootMessage(err), ...(type === undefined ? {} : { type }) };
  const next: DeployWaitState = state ?? {
    phase: 'waiting',
    model: options.version.name,
    version: options.version.version,
    failures: [],
    nonce: '',
    since: now,
    operators: [],
    commands: [],
  };
  next.phase = 'waiting';
  next.nonce = uuid4();
  next.since = now;
  next.operators = options.operators().map((o) => o.name);
  next.failures.push(failure);
  if (next.failures.length > MAX_RECORDED_FAILURES) next.failures.shift();
  if (state === null) options.tracker.attachDeployWait(() => copy(next));
  return next;
}

function lastReason(state: DeployWaitState): string {
  return state.failures.at(-1)?.reason ?? 'no reason recorded';
}

/** A deep copy of plain data. */
function copy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
