/**
 * What rollout tests share: bounded loopback traffic to a model while a rollout runs, and the check that the
 * registry's `champion` alias names the version the model server serves as stable.
 */
import { createModelServerClient, type ModelRegistry } from '@slipway/activities';
import type { FeatureRow, TrainAndPromoteResult } from '@slipway/sdk';
import { expect } from 'vitest';

/** A customer every churn model version scores. */
export const CHURN_CUSTOMER: FeatureRow = {
  tenure_months: 14,
  monthly_charges: 70.5,
  support_calls: 2,
  plan: 'standard',
  contract: 'annual',
  paperless: false,
};

/** Requests sent, requests that failed, and answers by the version that gave them. */
export interface TrafficCounts {
  sent: number;
  failed: number;
  byVersion: Map<number, number>;
}

/** Sends one request every 20 ms (about 50 a second) until `done` settles; counts answers by version, and failures. */
export async function trafficUntil(serverUrl: string, model: string, done: Promise<unknown>): Promise<TrafficCounts> {
  const client = createModelServerClient(serverUrl);
  const counts: TrafficCounts = { sent: 0, failed: 0, byVersion: new Map<number, number>() };
  let finished = false;
  void done.finally(() => (finished = true)).catch(() => undefined);
  while (!finished) {
    counts.sent += 1;
    try {
      const answer = await client.predict(model, [CHURN_CUSTOMER]);
      counts.byVersion.set(answer.version, (counts.byVersion.get(answer.version) ?? 0) + 1);
    } catch {
      counts.failed += 1;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return counts;
}

/** Expects the registry's champion and the server's stable version to agree (both absent counts as agreeing). */
export async function expectAgreement(
  registry: ModelRegistry,
  serverUrl: string,
  model: string,
  when: string,
): Promise<number | undefined> {
  const champion = await registry.resolve(model, 'champion');
  const served = await createModelServerClient(serverUrl).status(model);
  expect(champion?.version, `champion vs stable ${when}`).toBe(served.stable?.version);
  return served.stable?.version;
}

/**
 * Expects a healthy canary of v2 over v1 under traffic: deployed, every step 10 → 50 → 100 passed, no request
 * failed, and both versions answered some.
 */
export function expectHealthyCanary(result: TrainAndPromoteResult, traffic: TrafficCounts): void {
  expect(result).toMatchObject({ status: 'deployed', deployment: { version: 2, previousVersion: 1 } });
  expect(result.rollout?.records.map((r) => [r.percent, r.verdict])).toEqual([
    [10, 'pass'],
    [50, 'pass'],
    [100, 'pass'],
  ]);
  expect(traffic.failed).toBe(0);
  expect(traffic.byVersion.get(1)).toBeGreaterThan(0);
  expect(traffic.byVersion.get(2)).toBeGreaterThan(0);
}
