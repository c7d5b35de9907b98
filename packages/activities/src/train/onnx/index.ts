/**
 * ONNX models: the manifest builder ({@link onnxManifestFor}) and the loader ({@link loadOnnxModel}, registered as
 * `builtinPredictors.onnx`) that runs them with ONNX Runtime (`onnxruntime-node`, CPU).
 *
 * ```ts
 * const manifest = onnxManifestFor({ task: 'binary', features, signature, classes: [0, 1], model: onnxRef });
 * const predictor = await loadOnnxModel(manifest, { artifacts });
 * const [output] = await predictor.predict([{ tenure: 12, plan: 'pro' }]); // { probabilities: [0.3, 0.7] }
 * ```
 *
 * @module
 */
export { loadOnnxModel, parseOnnxManifest } from './loader.js';
export {
  LABEL_OUTPUT,
  PROBABILITIES_OUTPUT,
  VALUE_OUTPUT,
  onnxManifestFor,
  type OnnxManifestInput,
} from './manifest.js';
export { CATEGORICAL_INPUT_TYPE, NUMERIC_INPUT_TYPES, signatureProblems, type SignatureProblem } from './signature.js';
export { ONNX_INTRA_OP_THREADS, ONNX_SESSION_CACHE_SIZE, cachedOnnxSessions } from './session-cache.js';
export { inspectOnnxModel, type OnnxGraphInfo, type OnnxGraphValue } from './inspect.js';
