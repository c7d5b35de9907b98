/**
 * Loads a model artifact into a predictor: read through the artifact store (digest verified), parse the
 * serialized model, pick the loader for its `kind`. Every failure is a {@link ServeError} that says what was
 * wrong with which artifact.
 */
import type { ArtifactStore, Predictor, PredictorLoader, SerializedModel } from '@slipway/activities';
import { SlipwayErrorType, failureType, rootMessage, type ArtifactRef } from '@slipway/sdk';
import { ServeError, ServeErrorCode } from './protocol.js';

/** Reads, parses and loads the model behind `artifact` with the loader for its kind. */
export async function loadModel(
  artifacts: ArtifactStore,
  predictors: Readonly<Record<string, PredictorLoader>>,
  artifact: ArtifactRef,
): Promise<Predictor> {
  const model = parseSerializedModel(await readArtifact(artifacts, artifact), artifact);
  const loader = Object.hasOwn(predictors, model.kind) ? predictors[model.kind] : undefined;
  if (!loader) {
    const known = Object.keys(predictors).sort().join(', ') || '(none)';
    throw new ServeError(
      422,
      ServeErrorCode.UnknownModelKind,
      `Artifact ${artifact.uri} holds a model of kind "${model.kind}", which this server cannot load (known kinds: ${known})`,
    );
  }
  try {
    return await loader(model, { artifacts });
  } catch (err) {
    throw new ServeError(
      422,
      ServeErrorCode.InvalidModel,
      `Artifact ${artifact.uri} could not be loaded as a "${model.kind}" model: ${rootMessage(err)}`,
    );
  }
}

async function readArtifact(artifacts: ArtifactStore, artifact: ArtifactRef): Promise<Buffer> {
  try {
    return await artifacts.getBytes(artifact);
  } catch (err) {
    const type = failureType(err);
    const message = rootMessage(err);
    if (type === SlipwayErrorType.DigestMismatch) {
      throw new ServeError(
        422,
        ServeErrorCode.ArtifactDigestMismatch,
        `Artifact ${artifact.uri} does not match its digest ${artifact.digest}: ${message}`,
      );
    }
    if (type === SlipwayErrorType.NotFound || (err as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
      throw new ServeError(422, ServeErrorCode.ArtifactNotFound, `Artifact ${artifact.uri} does not exist: ${message}`);
    }
    throw new ServeError(
      500,
      ServeErrorCode.ArtifactUnreadable,
      `Artifact ${artifact.uri} could not be read: ${message}`,
    );
  }
}

function parseSerializedModel(bytes: Buffer, artifact: ArtifactRef): SerializedModel {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw new ServeError(
      422,
      ServeErrorCode.InvalidModel,
      `Artifact ${artifact.uri} is not a serialized model: not valid JSON (${(err as Error).message})`,
    );
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ServeError(
      422,
      ServeErrorCode.InvalidModel,
      `Artifact ${artifact.uri} is not a serialized model: expected a JSON object`,
    );
  }
  const kind = (value as { kind?: unknown }).kind;
  if (typeof kind !== 'string' || kind === '') {
    throw new ServeError(
      422,
      ServeErrorCode.InvalidModel,
      `Artifact ${artifact.uri} is not a serialized model: field "kind" must be a non-empty string`,
    );
  }
  return value as SerializedModel;
}
