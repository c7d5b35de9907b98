import {
  RETRYABLE_ERROR_TYPES,
  SlipwayErrorType,
  failureType,
  finalFailure,
  type StepParsedInput,
  type registerStep,
} from '@slipway/sdk';
import type { ArtifactStore, ModelRegistry } from '../ports.js';
import { stepIdempotencyKey } from '../util/idempotency.js';

/**
 * The register activity: checks the model artifact is really there (digest verified), then registers the
 * version (linked to the tracking run that trained it, when given) under the step's idempotency key, so a
 * retried call returns the same version. An artifact store that cannot be reached (a retryable failure) is retried,
 * not taken for a missing artifact.
 */
export function createRegisterActivity(deps: { registry: ModelRegistry; artifacts: ArtifactStore }) {
  return async (input: StepParsedInput<typeof registerStep>) => {
    await deps.artifacts.getBytes(input.model).catch((err: unknown) => {
      if (RETRYABLE_ERROR_TYPES.includes(failureType(err) ?? '')) throw err;
      throw finalFailure(
        SlipwayErrorType.NotFound,
        `cannot register ${input.modelName}: its model artifact ${input.model.uri} is unreadable: ${err instanceof Error ? err.message : String(err)}`,
      );
    });
    const { version, created } = await deps.registry.registerVersion({
      name: input.modelName,
      artifact: input.model,
      metrics: input.metrics,
      lineage: input.lineage,
      ...(input.trackingRunId === undefined ? {} : { trackingRunId: input.trackingRunId }),
      idempotencyKey: stepIdempotencyKey(
        `register/${input.lineage.workflowId}/${input.lineage.temporalRunId}/${input.model.digest}`,
      ),
    });
    return { version: { name: version.name, version: version.version, digest: version.artifact.digest }, created };
  };
}
