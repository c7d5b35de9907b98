/**
 * Decisions at a run's approval gate, as `SlipwayClient` sends them: built from the gate's published state (its
 * evidence digest and nonce), signed by the approver's key — or by a trusted service for the person it
 * authenticated — and sent as an Update, with a refusal turned into a `SlipwayClientError` that says why.
 */
import type { Client, WorkflowExecutionDescription } from '@temporalio/client';
import type { PersonKey } from '../keys/person-keys.js';
import { SlipwayMemo, SlipwayMessage } from '../messages.js';
import { GateListing, type GateDecisionRequestInput, type GateState } from '../schemas/approval.js';
import { ClientErrorCode, SlipwayClientError, gateError, isNotFound, unknownRun } from './errors.js';
import { signDecision, signServiceDecision } from './signing.js';

/** A decision as the client takes it; the evidence digest defaults to the one the gate published. */
export interface DecisionOptions {
  /** Who decides (checked against the gate's policy). */
  as: string;
  /**
   * No longer accepted: the gate takes groups from the worker's directory of people only, and a decision that
   * names groups is refused.
   */
  groups?: never;
  comment?: string;
  /** The evidence digest the approver was shown; by default read from the gate just before deciding. */
  evidenceDigest?: string;
  /** The key to sign with, instead of the approver's key file (e.g. held in a secret manager). */
  key?: PersonKey;
}

/** A decision a trusted service signs for the person it authenticated (`SlipwayClient.decideAsService`). */
export interface ServiceDecisionOptions {
  /** The person deciding, as the service authenticated them (checked against the gate's policy). */
  approver: string;
  comment?: string;
  /** The evidence digest the person was shown. */
  evidenceDigest: string;
  /** The service's name in the directory's `services`, and its private key (base64url seed). */
  service: { name: string; privateKey: string };
}

/** What deciding needs from the client. */
export interface DecisionContext {
  temporal: Client;
  /** The gate of a run already described (a query to its workflow; `NoGate` before it opens). */
  queryGate(runId: string): Promise<GateState>;
  /** The run's description (`UnknownRun` when there is none). */
  describe(runId: string): Promise<WorkflowExecutionDescription>;
  /** The key a person signs with. */
  keyOf(given: PersonKey | undefined): (name: string) => Promise<PersonKey>;
  withDeadline<T>(ms: number, fn: () => Promise<T>): Promise<T>;
  /** How long a decision may take. */
  timeoutMs: number;
}

/** What a decision is signed against: the open gate's nonce (none at a gate from before signing) and evidence. */
interface SigningTarget {
  nonce: string | undefined;
  evidenceDigest: string;
}

/**
 * The open gate's nonce and evidence digest: from the listing its run publishes in its memo (one description, no
 * query), else — a gate that publishes none, or one no longer waiting — from the gate's state, which also says why
 * it takes no decision.
 */
async function signingTarget(ctx: DecisionContext, runId: string): Promise<SigningTarget> {
  const description = await ctx.describe(runId);
  const listing = GateListing.safeParse(description.memo?.[SlipwayMemo.gate]);
  if (listing.success && listing.data.status === 'pending' && listing.data.nonce !== undefined) {
    return { nonce: listing.data.nonce, evidenceDigest: listing.data.evidenceDigest };
  }
  const gate = await ctx.queryGate(runId);
  return { nonce: gate.nonce, evidenceDigest: gate.evidence.digest };
}

/** The signed request for a person's decision at the run's gate (unsigned at a gate from before signing). */
export async function decisionRequest(
  ctx: DecisionContext,
  runId: string,
  kind: 'approve' | 'reject',
  d: DecisionOptions,
): Promise<GateDecisionRequestInput> {
  const groups: unknown = (d as { groups?: unknown }).groups;
  if (groups !== undefined)
    throw new SlipwayClientError(
      ClientErrorCode.InvalidDecision,
      `a decision may not name groups (got ${JSON.stringify(groups)}): the gate takes group membership from the worker's directory of people (\`directory\` in slipway.config.json)`,
    );
  const gate = await signingTarget(ctx, runId);
  const request = {
    decision: kind,
    approver: d.as,
    evidenceDigest: d.evidenceDigest ?? gate.evidenceDigest,
    ...(d.comment ? { comment: d.comment } : {}),
  };
  // A gate that opened before decisions were signed publishes no nonce and takes the decision as it is.
  if (gate.nonce === undefined) return request;
  return signDecision({ runId, nonce: gate.nonce, request }, ctx.keyOf(d.key));
}

/** The request for a decision a service signs for the person it authenticated. */
export async function serviceDecisionRequest(
  ctx: DecisionContext,
  runId: string,
  kind: 'approve' | 'reject',
  decision: ServiceDecisionOptions,
): Promise<GateDecisionRequestInput> {
  const gate = await signingTarget(ctx, runId);
  if (gate.nonce === undefined) {
    throw new SlipwayClientError(
      ClientErrorCode.InvalidDecision,
      `the gate of run ${runId} opened before decisions were signed: a service cannot sign for anyone there`,
    );
  }
  const request = {
    decision: kind,
    approver: decision.approver,
    evidenceDigest: decision.evidenceDigest,
    ...(decision.comment ? { comment: decision.comment } : {}),
  };
  return signServiceDecision({ runId, nonce: gate.nonce, request }, decision.service);
}

/** Sends a decision by Update and answers the gate's state after it; a refusal throws saying why. */
export async function sendDecision(
  ctx: DecisionContext,
  runId: string,
  request: GateDecisionRequestInput,
): Promise<GateState> {
  const handle = ctx.temporal.workflow.getHandle(runId);
  try {
    return await ctx.withDeadline(ctx.timeoutMs, () =>
      handle.executeUpdate<GateState, [GateDecisionRequestInput]>(SlipwayMessage.gateDecide, { args: [request] }),
    );
  } catch (err) {
    throw isNotFound(err) ? await closedOrUnknown(ctx, runId, err) : gateError(err, runId);
  }
}

/** An update to a closed run fails as "not found": tell a finished run's closed gate from a missing run. */
async function closedOrUnknown(ctx: DecisionContext, runId: string, cause: unknown): Promise<SlipwayClientError> {
  const description = await ctx.describe(runId).catch(() => undefined);
  if (!description) return unknownRun(runId, cause);
  return new SlipwayClientError(
    ClientErrorCode.GateClosed,
    `run ${runId} has already finished (${description.status.name}); its gate is closed`,
    { cause },
  );
}
