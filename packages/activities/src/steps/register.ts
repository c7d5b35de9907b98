import { SlipwayErrorType, finalFailure, type StepParsedInput, type registerStep } from '@slipway/sdk';
import type { ArtifactStore, ModelRegistry } from '../ports.js';
import { stepIdempotencyKey } from '../util/idempotency.js';

/**
 * The register activity: checks the model artifact is really there (digest verified), then registers the
 * version (linked to the tracking run that trained it, when given) under the step's idempotency key, so a
 * retried call returns the same version.
 */
export function createRegisterActivity(deps: { registry: ModelRegistry; artifacts: ArtifactStore }) {
  return async (input: StepParsedInput<typeof registerStep>) => {
    await deps.artifacts.getBytes(input.model).catch((err: unknown) => {
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
