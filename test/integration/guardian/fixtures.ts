/** Inputs the guardian tests share: a guardian of a churn model, and a retrain trigger. */
import type { ArtifactRef, ModelGuardianInputRaw, RetrainTrigger, TrainAndPromoteResult } from '@slipway/sdk';
import { join } from 'node:path';
import { expect } from 'vitest';
import { DATA_DIR, churnInput } from '../../../examples/churn/src/input.js';
import type { Harness } from '../../support/harness.js';
import { waitForGate } from '../../support/waits.js';

/** A reference to an artifact that exists only as a reference (the workflows under test never read it). */
export function ref(name: string): ArtifactRef {
  const hex = Buffer.from(name).toString('hex').padEnd(64, '0').slice(0, 64);
  return { uri: `file:///nowhere/${name}`, digest: `sha256:${hex}`, size: 1 };
}

/** A retrain trigger naming `guardian` and a check of it. */
export function trigger(guardian: string): RetrainTrigger {
  return {
    guardian,
    checkId: `${guardian}/check-3`,
    driftReport: ref('report'),
    driftPage: ref('page'),
    servingProfile: ref('profile'),
  };
}

/**
 * The newest churn data (customers of the later months the serving data comes from, with their outcome): what a
 * retrain after the drift trains on. Its distribution checks compare it with the serving window that drifted, so
 * retraining on the old training data would fail them, as it should.
 */
export const RECENT_CHURN_CSV = join(DATA_DIR, 'recent', 'churn-2027-03.csv');

/**
 * The guardian of `model`, served at `serverUrl`, checking every `every`; its retrain is the churn pipeline on the
 * recent data.
 */
export function guardianInput(model: string, serverUrl: string, more: Partial<ModelGuardianInputRaw> = {}) {
  const {
    start: _s,
    startedBy: _b,
    retrain: _r,
    ...retrainInput
  } = churnInput({
    serverUrl,
    modelName: model,
    datasetPath: RECENT_CHURN_CSV,
  });
  return {
    model,
    every: '1h',
    source: { kind: 'model-server' as const, serverUrl },
    policy: { minSamples: 50 },
    hysteresis: { consecutive: 2 },
    retrain: { input: retrainInput },
    ...more,
  } satisfies ModelGuardianInputRaw;
}

/** Trains, approves (as maria) and deploys version 1 of the churn model `model`: the champion a guardian watches. */
export async function deployFirstVersion(h: Harness, model: string): Promise<void> {
  const { runId } = await h.client.start(
    'trainAndPromote',
    churnInput({ serverUrl: h.modelServer.url, modelName: model }),
  );
  await waitForGate(h.client, runId);
  await h.client.approve(runId, { as: 'maria', comment: 'first version' });
  expect(await h.client.result<TrainAndPromoteResult>(runId)).toMatchObject({
    status: 'deployed',
    deployment: { version: 1 },
  });
}
