/**
 * The model guardian's activities of its own: recording a decision in the audit log, and reading how the retrain it
 * started is doing.
 *
 * A guardian line (`kind: 'guardian'`) records a decision, not a registry mutation: it is hash-chained and signed like
 * every line, but the registry's head does not move with it, so `verifyAuditLog` does not count it as pending.
 */
import { Context } from '@temporalio/activity';
import {
  FinalErrorType,
  finalFailure,
  type StepParsedInput,
  type guardRecordStep,
  type guardRetrainStatusStep,
  type StepOutput,
} from '@slipway/sdk';
import type { AuditLog } from '../audit/audit-log.js';
import { recordAuditKey } from '../audit/with-audit.js';
import type { ModelRegistry } from '../ports.js';
import { currentStepIdentity } from '../util/idempotency.js';

/** What the record activity needs: the worker's audit log, and the registry that anchors it (its writers' keys). */
export interface GuardRecordDeps {
  auditLog?: AuditLog | undefined;
  registry: ModelRegistry;
}

/**
 * Creates the `slipway.guard-record` activity: appends one `guardian` line (model, the version checked, the
 * guardian as actor; `data`: decisionId, kind, checkId, reason, details, step). A retried attempt finds the line of
 * its `decisionId` under the log's lock and appends no second one. A worker without an audit log fails it (final):
 * a decision is never silently left unrecorded.
 */
export function createGuardRecordActivity(deps: GuardRecordDeps) {
  return async (input: StepParsedInput<typeof guardRecordStep>): Promise<StepOutput<typeof guardRecordStep>> => {
    const log = deps.auditLog;
    if (log === undefined) {
      throw finalFailure(
        FinalErrorType.InvalidInput,
        `Cannot record the guardian decision ${input.decisionId}: this worker has no audit log (ActivityDeps.auditLog)`,
      );
    }
    // The registry must know the key that signs the line (as `withAudit` makes sure before a mutation), or the log
    // could not be verified, and a worker would refuse to start on it.
    await recordAuditKey(deps.registry, log);
    let reused = false;
    const step = currentStepIdentity();
    const entry = await log.append(
      {
        kind: 'guardian',
        model: input.model,
        version: input.version,
        actor: input.guardian,
        data: {
          decisionId: input.decisionId,
          decision: input.kind,
          checkId: input.checkId,
          reason: input.reason,
          details: input.details,
          ...(step ? { step } : {}),
        },
      },
      {
        reuse: (entries) => {
          const found = entries.find((e) => e.kind === 'guardian' && e.data.decisionId === input.decisionId);
          reused = found !== undefined;
          return found;
        },
      },
    );
    return { seq: entry.seq, appended: !reused };
  };
}

/** The workflow client the retrain-status activity reads Temporal with. */
export interface WorkflowReader {
  workflow: {
    getHandle(
      workflowId: string,
      runId?: string,
    ): {
      describe(): Promise<{ status: { name: string } }>;
      result(): Promise<unknown>;
    };
  };
}

/** What the retrain-status activity needs: a Temporal client (default: the one the worker gives its activities). */
export interface GuardRetrainStatusDeps {
  client?: () => WorkflowReader;
}

const RESULT_STATUSES = new Set(['deployed', 'rejected', 'expired', 'rolled_back', 'deploy_aborted']);

/**
 * Creates the `slipway.guard-retrain-status` activity: describes the retrain's run by id and run id; running, or how
 * it ended (a completed run's result `status` and `version`; a failed, cancelled, terminated or timed-out run is
 * `failed` with the reason). A run Temporal no longer knows (retention) is `not_found`.
 */
export function createGuardRetrainStatusActivity(deps: GuardRetrainStatusDeps = {}) {
  return async (
    input: StepParsedInput<typeof guardRetrainStatusStep>,
  ): Promise<StepOutput<typeof guardRetrainStatusStep>> => {
    const client = deps.client?.() ?? Context.current().client;
    const handle = client.workflow.getHandle(input.workflowId, input.runId);
    let status: string;
    try {
      status = (await handle.describe()).status.name;
    } catch (err) {
      if (err instanceof Error && err.name === 'WorkflowNotFoundError') return { state: 'not_found' };
      throw err;
    }
    if (status === 'RUNNING') return { state: 'running' };
    if (status !== 'COMPLETED') {
      const reason = await handle.result().then(
        () => '',
        (err: unknown) => (err instanceof Error ? `: ${causeOf(err)}` : ''),
      );
      return { state: 'ended', outcome: 'failed', detail: `the run ended ${status.toLowerCase()}${reason}` };
    }
    const result = (await handle.result()) as { status?: unknown; version?: { version?: unknown } } | null;
    const outcome = typeof result?.status === 'string' && RESULT_STATUSES.has(result.status) ? result.status : null;
    if (outcome === null) {
      return {
        state: 'ended',
        outcome: 'failed',
        detail: `the run completed with an unknown status ${String(result?.status)}`,
      };
    }
    const version = result?.version?.version;
    return {
      state: 'ended',
      outcome: outcome as 'deployed',
      ...(typeof version === 'number' && Number.isInteger(version) && version > 0 ? { version } : {}),
    };
  };
}

function causeOf(err: Error): string {
  let current: unknown = err;
  while (current instanceof Error && (current as { cause?: unknown }).cause instanceof Error) {
    current = (current as { cause: Error }).cause;
  }
  return current instanceof Error ? current.message : err.message;
}
