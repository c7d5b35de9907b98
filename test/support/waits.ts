import type { GateState } from '@slipway/sdk';
import type { SlipwayClient } from '@slipway/sdk/client';

/** Polls until `probe` returns a value (not undefined), or fails after `timeoutMs` with `what`. */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      lastError = err;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const reason = lastError instanceof Error ? `: ${lastError.message}` : '';
  throw new Error(`timed out waiting for ${what}${reason}`);
}

/** Waits until a run's gate is open and pending. */
export function waitForGate(client: SlipwayClient, runId: string): Promise<GateState> {
  return eventually(`the gate of ${runId}`, async () => {
    const gate = await client.gate(runId).catch(() => undefined);
    return gate?.status === 'pending' ? gate : undefined;
  });
}
