/**
 * `@slipway/sdk/client` — app code and tooling: start runs, read their status, list pending approvals,
 * approve or reject promotions.
 *
 * ```ts
 * import { SlipwayClient } from '@slipway/sdk/client';
 * const slipway = await SlipwayClient.connect({ address: '127.0.0.1:7233', identity: 'release-bot' });
 * for (const p of await slipway.pendingApprovals()) console.log(p.runId, p.gate.evidence.candidate.metrics);
 * await slipway.approve('churn-20261125-x1y2z3', { as: 'maria', comment: 'looks good' });
 * ```
 *
 * @packageDocumentation
 */
export { SlipwayClient } from './slipway-client.js';
export type { DecisionOptions, PendingApproval, RunStatus, SlipwayClientOptions } from './slipway-client.js';
export { ClientErrorCode, SlipwayClientError } from './errors.js';
export { callerIdentity, withStartedBy, type IdentitySources } from './identity.js';
export type { WorkflowTaskFailure } from './workflow-task-failure.js';
