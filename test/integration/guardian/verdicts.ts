/** A running guardian's checks, decisions, retrain outcomes and audit entries, as the guardian tests wait for them. */
import type { ModelRegistry } from '@slipway/activities';
import type { GuardianCheckSummary, GuardianStatus, TrainAndPromoteResult } from '@slipway/sdk';
import { expect } from 'vitest';
import type { Harness } from '../../support/harness.js';
import { eventually } from '../../support/waits.js';

/**
 * The first live check of `model`'s guardian after check `after` that made a verdict (enough samples), and the
 * status once the decision on it is recorded too. A timeout names the status it last saw.
 */
export async function nextVerdict(
  h: Harness,
  model: string,
  after: number,
): Promise<{ check: GuardianCheckSummary; status: GuardianStatus }> {
  let last: GuardianStatus | undefined;
  return eventually(`a check with a verdict after check ${after}`, async () => {
    const s = await h.client.guard.status(model);
    last = s;
    const check = s.recent.find((c) => c.n > after && c.enoughSamples && !c.backfill);
    // The decision on the check is recorded right after it: wait for it too.
    return check && s.decisions.some((d) => d.checkId === check.checkId) ? { check, status: s } : undefined;
  }).catch((err: unknown) => {
    throw new Error(`${String(err)}; the guardian's status then: ${JSON.stringify(last)}`);
  });
}

/** The decision made on `check` (not the `retrain_finished` record that may share its check id). */
export function decisionOf(s: GuardianStatus, check: GuardianCheckSummary) {
  return s.decisions.find((d) => d.checkId === check.checkId && d.kind !== 'retrain_finished');
}

/**
 * Approves the retrain `retrain:<model>` waiting at its gate (as maria, the guardian's starter being ci-bot), expects
 * it to deploy `version` as the champion, and waits for the guardian to record the outcome: the status then.
 */
export async function approveRetrain(
  h: Harness,
  registry: ModelRegistry,
  model: string,
  version: number,
): Promise<GuardianStatus> {
  await h.client.approve(`retrain:${model}`, { as: 'maria', comment: 'retrained on fresh data' });
  const retrained = await h.client.result<TrainAndPromoteResult>(`retrain:${model}`);
  expect(retrained).toMatchObject({ status: 'deployed', deployment: { version, previousVersion: version - 1 } });
  expect((await registry.resolve(model, 'champion'))?.version).toBe(version);
  return eventually('the outcome recorded', async () => {
    const s = await h.client.guard.status(model);
    return s.outcomes.length > 0 ? s : undefined;
  });
}

/** The audit log's entries of `model`'s guardian decisions. */
export async function guardianAudit(h: Harness, model: string) {
  const { openConfiguredAuditLog } = await import('../../../packages/worker/src/config/backends.js');
  const entries = await openConfiguredAuditLog(h.config).entries();
  return entries.filter((e) => e.kind === 'guardian' && e.actor === `guardian:${model}`);
}
