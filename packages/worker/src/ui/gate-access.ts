/**
 * Everything the approvals page reads from and sends to Temporal, in one place: the gates listed from the
 * visibility store (their `GateListing` memo, one list call), one gate's state, a run's progress, and a decision
 * signed by the page's service key for the person it authenticated.
 */
import { SlipwaySearchAttribute, type GateListing, type GateState, type RunProgress } from '@slipway/sdk';
import { ClientErrorCode, SlipwayClientError, type SlipwayClient } from '@slipway/sdk/client';

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
  /** Pending gates (oldest first) or closed ones (most recently started first), at most `limit`. */
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
    listGates: (status, limit) =>
      listGates(client, status, limit).catch((err: unknown) => {
        throw new Error(
          `could not list the ${status} gates: ${messageChain(err)} (a Slipway worker registers the search attributes ` +
            `the list needs, such as ${SlipwaySearchAttribute.gateStatus}, when it starts on this namespace)`,
          { cause: err },
        );
      }),
    gate: (runId) => client.gate(runId),
    progress: async (runId) => (await client.status(runId).catch(() => undefined))?.progress,
    decide: async (runId, kind, decision) => {
      if (service === undefined) {
        throw new SlipwayClientError(ClientErrorCode.InvalidDecision, 'the page has no service key to sign with');
      }
      return client.decideAsService(runId, kind, { ...decision, service });
    },
  };
}

async function listGates(client: SlipwayClient, status: 'pending' | 'closed', limit: number): Promise<ListedGate[]> {
  // Pending: a gate that opened before gates published their listing is read from the gate itself.
  if (status === 'pending') return client.pendingApprovals({ limit });
  const closed = await client.listGates({ status, limit });
  return closed.flatMap((entry) => (entry.listing === null ? [] : [{ ...entry, listing: entry.listing }]));
}

/** An error's message with its causes' (Temporal's list error says why only in its cause). */
function messageChain(err: unknown): string {
  const messages: string[] = [];
  for (let current: unknown = err; current instanceof Error && messages.length < 4; current = current.cause) {
    if (!messages.includes(current.message)) messages.push(current.message);
  }
  return messages.join(': ') || String(err);
}
