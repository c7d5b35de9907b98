/**
 * `@slipway/sdk/client` — app code and tooling: start runs (their input checked against the pipeline's
 * contract), follow them, read their status and typed results, list pending approvals, approve or reject
 * promotions. A `runId` is always the run's Temporal workflow id.
 *
 * ```ts
 * import { trainAndPromote } from '@slipway/sdk';
 * import { SlipwayClient } from '@slipway/sdk/client';
 * const slipway = await SlipwayClient.connect({ address: '127.0.0.1:7233', identity: 'release-bot' });
 * const { runId } = await slipway.start(trainAndPromote, input); // InvalidInput, and no run, for a bad input
 * await slipway.follow(runId, { until: 'gate', onStep: (step) => console.log(step.step, step.status) });
 * for (const p of await slipway.pendingApprovals()) console.log(p.runId, p.listing.model, p.listing.headline);
 * await slipway.approve(runId, { as: 'maria', comment: 'looks good' });
 * const result = await slipway.result(runId, trainAndPromote); // typed
 * ```
 *
 * @packageDocumentation
 */
export { SlipwayClient } from './slipway-client.js';
export type { PendingApproval, SlipwayClientOptions, StartOptions } from './slipway-client.js';
export type { RunStatus } from './run-lifecycle.js';
export type { DecisionOptions, ServiceDecisionOptions } from './gate-decisions.js';
export { ClientErrorCode, SlipwayClientError, type FieldIssue } from './errors.js';
export type { RolloutCommandOptions } from './rollout.js';
export type { DeployCommandOptions } from './deploy.js';
export type { RollbackOptions } from './rollback.js';
export type { GuardClient, GuardCommandOptions } from './guard.js';
export { readGuardFile, type GuardStartOptions } from './guard-file.js';
export { callerIdentity, withStartedBy, type IdentitySources } from './identity.js';
export type { FollowOptions, FollowResult, FollowUntil } from './follow.js';
export { checkPipelineInput, parsePipelineOutput } from './pipeline-input.js';
export { readJsonFile, readRolloutPlanFile, readRunInput, resolveInputFiles } from './run-input.js';
export { SlipwaySchedules, type ScheduleCreateOptions, type ScheduleInfo, type ScheduleLastRun } from './schedules.js';
export {
  DEFAULT_CATCHUP_WINDOW,
  ScheduleOverlap,
  modelOfInput,
  parseCatchupWindow,
  parseCron,
  parseExpiry,
  parseOverlap,
  scheduleIdOf,
} from './schedule-spec.js';
export type { WorkflowTaskFailure } from './workflow-task-failure.js';
export { signServiceDecision } from './signing.js';
export {
  DEFAULT_GATE_LIST_LIMIT,
  gateListCutNotice,
  gateListQuery,
  type GateListEntry,
  type ListGatesOptions,
} from './gates.js';
export type { GateListing } from '../schemas/approval.js';
