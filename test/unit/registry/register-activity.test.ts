/**
 * The register activity's check of the model artifact: an artifact store that cannot be reached (S3 down) is a
 * retryable failure, retried by Temporal; an artifact that is gone or unreadable fails the step for good.
 */
import { describe, expect, it } from 'vitest';
import { SlipwayErrorType, failureType, retryableFailure, type StepParsedInput, type registerStep } from '@slipway/sdk';
import type { ArtifactStore, ModelRegistry } from '../../../packages/activities/src/ports.js';
import { createRegisterActivity } from '../../../packages/activities/src/steps/register.js';

const INPUT = {
  modelName: 'churn',
  model: { uri: 's3://bucket/sha256/ab/ab', digest: `sha256:${'a'.repeat(64)}`, size: 10 },
  metrics: {},
  lineage: { workflowId: 'wf', temporalRunId: 'run' },
} as unknown as StepParsedInput<typeof registerStep>;

/** A registry that must not be reached: the artifact check fails first. */
const registry = {
  registerVersion: () => Promise.reject(new Error('the registry must not be reached')),
} as unknown as ModelRegistry;

function storeFailingWith(err: Error): ArtifactStore {
  return { getBytes: () => Promise.reject(err) } as unknown as ArtifactStore;
}

describe('register: the model artifact cannot be read', () => {
  it('an unreachable store stays retryable (the step is retried, not failed)', async () => {
    const unreachable = retryableFailure(
      SlipwayErrorType.SourceUnreachable,
      'Cannot reach the S3 endpoint: ECONNREFUSED',
    );
    const register = createRegisterActivity({ registry, artifacts: storeFailingWith(unreachable) });
    const err = await register(INPUT).catch((e: unknown) => e);
    expect(failureType(err)).toBe(SlipwayErrorType.SourceUnreachable);
    expect((err as { nonRetryable?: boolean }).nonRetryable).toBe(false);
  });

  it('a missing artifact fails for good, naming the model and the artifact', async () => {
    const missing = Object.assign(new Error('ENOENT: no such file'), { code: 'ENOENT' });
    const register = createRegisterActivity({ registry, artifacts: storeFailingWith(missing) });
    const err = await register(INPUT).catch((e: unknown) => e);
    expect(failureType(err)).toBe(SlipwayErrorType.NotFound);
    expect((err as { nonRetryable?: boolean }).nonRetryable).toBe(true);
    expect(String((err as Error).message)).toContain(`cannot register churn: its model artifact ${INPUT.model.uri}`);
  });
});
