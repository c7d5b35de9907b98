/**
 * Everything the approvals page reads from and sends to Temporal, in one place: the gates listed from the
 * visibility store (their `GateListing` memo, one list call), one gate's state, a run's progress, and a decision
 * signed by the page's service key for the person it authenticated.
 */
import {
  GateListing,
  SlipwayMemo,
  SlipwayMessage,
  SlipwaySearchAttribute,
  rootMessage,
  type GateDecisionRequestInput,
  type GateState,
  type RunProgress,
} from '@slipway/sdk';
import { ClientErrorCode, SlipwayClientError, signServiceDecision, type SlipwayClient } from '@slipway/sdk/client';

/** A run's gate as listed. */
export interface ListedGate {
  runId: string;
  pipeline: string;
  startTime: Date;
  listing: GateListing;
}

/** A decision the page makes for the person signed in. */
export interface PageDecision {
  approver: string;
  comment?: string;
  evidenceDigest: string;
}

/** What the page needs from Temporal. */
export interface GateAccess {
  /** Pending gates (oldest first) or closed ones (newest first), at most `limit`. */
  listGates(status: 'pending' | 'closed', limit: number): Promise<ListedGate[]>;
  /** One run's gate. */
  gate(runId: string): Promise<GateState>;
  /** One run's progress (its steps and their summaries); undefined when the run does not answer. */
  progress(runId: string): Promise<RunProgress | undefined>;
  /** Sends a decision signed by the page's service; the gate's refusal is thrown as a `SlipwayClientError`. */
  decide(runId: string, kind: 'approve' | 'reject', decision: PageDecision): Promise<GateState>;
}

/** The page's access through `client`, signing decisions as `service` (without one, deciding is refused). */
export function gateAccess(
  client: SlipwayClient,
  service: { name: string; privateKey: string } | undefined,
): GateAccess {
  return {
    listGates: (status, limit) => listFromMemo(client, status, limit),
    gate: (runId) => client.gate(runId),
    progress: async (runId) => (await client.status(runId).catch(() => undefined))?.progress,
    decide: async (runId, kind, decision) => {
      if (service === undefined) {
        throw new SlipwayClientError(ClientErrorCode.InvalidDecision, 'the page has no service key to sign with');
      }
      return decideAsService(client, runId, kind, decision, service);
    },
  };
}

const CLOSED = ['approved', 'rejected', 'expired'];

async function listFromMemo(client: SlipwayClient, status: 'pending' | 'closed', limit: number) {
  const query =
    status === 'pending'
      ? `ExecutionStatus = "Running" AND ${SlipwaySearchAttribute.gateStatus} = "pending"`
      : `${SlipwaySearchAttribute.gateStatus} IN (${CLOSED.map((s) => `"${s}"`).join(', ')})`;
  const gates: ListedGate[] = [];
  for await (const execution of client.temporal.workflow.list({ query, pageSize: Math.min(limit, 1000) })) {
    const listing = GateListing.safeParse(execution.memo?.[SlipwayMemo.gate]);
    if (!listing.success) continue;
    gates.push({
      runId: execution.workflowId,
      pipeline: execution.type,
      startTime: execution.startTime,
      listing: listing.data,
    });
    if (gates.length >= limit) break;
  }
  const byTime = (a: ListedGate, b: ListedGate) => a.startTime.getTime() - b.startTime.getTime();
  return status === 'pending' ? gates.sort(byTime) : gates.sort((a, b) => byTime(b, a));
}

async function decideAsService(
  client: SlipwayClient,
  runId: string,
  kind: 'approve' | 'reject',
  decision: PageDecision,
  service: { name: string; privateKey: string },
): Promise<GateState> {
  const gate = await client.gate(runId);
  if (gate.nonce === undefined) {
    throw new SlipwayClientError(ClientErrorCode.InvalidDecision, 'this gate opened before decisions were signed');
  }
  const request = signServiceDecision(
    {
      runId,
      nonce: gate.nonce,
      request: { decision: kind, ...decision },
    },
    service,
  );
  try {
    return await client.temporal.workflow
      .getHandle(runId)
      .executeUpdate<GateState, [GateDecisionRequestInput]>(SlipwayMessage.gateDecide, { args: [request] });
  } catch (err) {
    throw new SlipwayClientError(ClientErrorCode.InvalidDecision, rootMessage(err), { cause: err });
  }
}
