/**
 * The pending approval gates of a namespace, for the `slipway_gates_pending` gauge: one visibility list call (as
 * `slipway approvals` makes), each gate's model and opening read from the listing its run publishes.
 */
import { SlipwayClient } from '@slipway/sdk/client';
import { Client } from '@temporalio/client';
import type { NativeConnection } from '@temporalio/worker';
import type { PendingGate } from './worker-metrics.js';

/** A reader of the namespace's pending gates over the worker's connection. */
export function pendingGatesReader(connection: NativeConnection, namespace: string): () => Promise<PendingGate[]> {
  const slipway = SlipwayClient.fromClient(new Client({ connection, namespace }));
  return async () =>
    (await slipway.listGates({ status: 'pending' })).map((entry) => ({
      model: entry.listing?.model ?? 'unknown',
      ...(entry.listing?.openedAt ? { openedAt: entry.listing.openedAt } : {}),
    }));
}
