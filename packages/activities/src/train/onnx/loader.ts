/**
 * The loader of ONNX models (kind `onnx`): the manifest names the `.onnx` file by digest and says how to feed the
 * graph and read it. Loading parses the manifest, checks its signature against its features, reads the ONNX bytes
 * (digest verified by the store), creates (or reuses, by digest) an ONNX Runtime session and checks the graph
 * against the manifest, so a model that cannot be fed or read is refused at load, never while it serves.
 */
import { FinalErrorType, ONNX_MODEL_KIND, OnnxModelManifest, finalFailure, parseOrFail } from '@slipway/sdk';
import type { InferenceSession } from 'onnxruntime-node';
import type { ModelOutput, Predictor, PredictorLoadContext, SerializedModel, TypedRow } from '../../ports.js';
import { graphProblems } from './graph.js';
import { inputTensors } from './input-tensors.js';
import { probabilityOutputs, valueOutputs } from './outputs.js';
import { onnxSession } from './session-cache.js';
import { describeProblems, signatureProblems } from './signature.js';

/** Parses an ONNX manifest and checks its signature against its features; a final `SlipwayInvalidInput` names the field. */
export function parseOnnxManifest(model: SerializedModel): OnnxModelManifest {
  const manifest = parseOrFail(OnnxModelManifest, model, 'Not a valid ONNX model manifest', { kind: model.kind });
  const problems = signatureProblems(manifest.features, manifest.signature);
  if (problems.length > 0) {
    throw finalFailure(FinalErrorType.InvalidInput, `Not a valid ONNX model manifest: ${describeProblems(problems)}`, {
      kind: model.kind,
      issues: problems,
    });
  }
  return manifest;
}

async function sessionOf(manifest: OnnxModelManifest, context: PredictorLoadContext): Promise<InferenceSession> {
  const { uri, digest } = manifest.model;
  try {
    return await onnxSession(digest, () => context.artifacts.getBytes(manifest.model));
  } catch (err) {
    if ((err as { type?: unknown }).type !== undefined) throw err; // a Slipway failure (digest mismatch, not found)
    throw finalFailure(
      FinalErrorType.InvalidInput,
      `The ONNX file ${uri} (${digest}) is not a model ONNX Runtime can load: ${(err as Error).message}`,
      { uri, digest },
    );
  }
}

/**
 * Loads an ONNX model manifest into a {@link Predictor}: `predict(rows)` feeds one `[rows, 1]` tensor per feature
 * (see `inputTensors`) and returns the classifier's `probabilities` (in `classes` order) or the regressor's
 * `value`. Fails with a final `SlipwayInvalidInput` naming the field, input or output for a manifest or graph that
 * does not fit, and with `SlipwayDigestMismatch` when the ONNX bytes are not those the manifest names.
 */
export const loadOnnxModel = async (model: SerializedModel, context: PredictorLoadContext): Promise<Predictor> => {
  const manifest = parseOnnxManifest(model);
  const session = await sessionOf(manifest, context);
  const problems = graphProblems(manifest, session);
  if (problems.length > 0) {
    throw finalFailure(
      FinalErrorType.InvalidInput,
      `The ONNX model ${manifest.model.uri} does not fit its manifest: ${problems.join('; ')}`,
      { uri: manifest.model.uri, digest: manifest.model.digest, problems },
    );
  }
  const { task, classes } = manifest;
  const output = (task === 'regression' ? manifest.outputs.value : manifest.outputs.probabilities) as string;
  const inputs = manifest.signature.inputs;
  return {
    kind: ONNX_MODEL_KIND,
    task,
    features: manifest.features,
    ...(classes ? { classes } : {}),
    ...(manifest.nullable ? { nullable: manifest.nullable } : {}),
    async predict(rows: readonly TypedRow[]): Promise<ModelOutput[]> {
      if (rows.length === 0) return [];
      const results = await session.run(inputTensors(inputs, rows), [output]);
      return task === 'regression'
        ? valueOutputs(output, results[output], rows.length)
        : probabilityOutputs(output, results[output], rows.length, classes?.length ?? 0);
    },
  };
};
