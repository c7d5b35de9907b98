import { setTimeout as sleep } from 'node:timers/promises';

import { Connection } from '@temporalio/client';

/** Options of {@link waitUntilReady}. */
export interface ReadinessOptions {
  /** `host:port` of the frontend. */
  readonly address: string;
  /** The namespace that must exist. */
  readonly namespace: string;
  /** Give up after this long. */
  readonly timeoutMs: number;
  /** Settles when the server process exits: waiting stops at once. */
  readonly exited: Promise<unknown>;
}

/** Why {@link waitUntilReady} gave up. */
export type ReadinessFailure = { readonly kind: 'exited' } | { readonly kind: 'timeout'; readonly lastError: string };

/**
 * Waits until the server answers `DescribeNamespace` for the namespace (so the frontend is up and the
 * namespace registered), retrying with backoff from 100 ms to 1 s. Resolves undefined when ready,
 * or a {@link ReadinessFailure}.
 */
export async function waitUntilReady(options: ReadinessOptions): Promise<ReadinessFailure | undefined> {
  const deadline = Date.now() + options.timeoutMs;
  let exited = false;
  const exitSignal = options.exited.then(() => {
    exited = true;
    return 'exited' as const;
  });
  let delayMs = 100;
  let lastError = 'no attempt finished';
  for (;;) {
    const outcome = await Promise.race([probe(options, deadline), exitSignal]);
    if (outcome === 'exited' || exited) return { kind: 'exited' };
    if (outcome === 'ready') return undefined;
    lastError = outcome.error;
    if (Date.now() + delayMs >= deadline) return { kind: 'timeout', lastError };
    const slept = await Promise.race([sleep(delayMs).then(() => 'slept' as const), exitSignal]);
    if (slept === 'exited') return { kind: 'exited' };
    delayMs = Math.min(delayMs * 1.6, 1_000);
  }
}

async function probe(options: ReadinessOptions, deadline: number): Promise<'ready' | { error: string }> {
  const attemptDeadline = Math.min(deadline, Date.now() + 2_000);
  let connection: Connection | undefined;
  try {
    connection = await Connection.connect({
      address: options.address,
      connectTimeout: Math.max(attemptDeadline - Date.now(), 1),
    });
    const conn = connection;
    await conn.withDeadline(Math.max(attemptDeadline, Date.now() + 200), () =>
      conn.workflowService.describeNamespace({ namespace: options.namespace }),
    );
    return 'ready';
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  } finally {
    await connection?.close().catch(() => undefined);
  }
}
