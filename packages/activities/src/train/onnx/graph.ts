/**
 * The check of a loaded ONNX graph against its manifest, at load time, so that a model that cannot be fed or read
 * is refused before it serves: each signature input is a graph input of the matching tensor type, the graph has no
 * input Slipway does not feed, and the outputs the manifest names are tensors of the graph (a classifier's
 * probabilities a float tensor with one column per class).
 */
import type { OnnxModelManifest, TrainerValueType } from '@slipway/sdk';
import type { InferenceSession } from 'onnxruntime-node';

/** The ONNX tensor type of each signature type Slipway can feed. */
export const TENSOR_TYPE_OF: Readonly<Partial<Record<TrainerValueType, string>>> = Object.freeze({
  float: 'float32',
  double: 'float64',
  string: 'string',
});

const NUMERIC_OUTPUT_TYPES = new Set(['float32', 'float64']);

type Metadata = InferenceSession.ValueMetadata;

/** The graph's problems against the manifest, each naming the input or output (empty when it fits). */
export function graphProblems(
  manifest: OnnxModelManifest,
  session: Pick<InferenceSession, 'inputMetadata' | 'outputMetadata'>,
): string[] {
  return [...inputProblems(manifest, session.inputMetadata), ...outputProblems(manifest, session.outputMetadata)];
}

function inputProblems(manifest: OnnxModelManifest, graphInputs: readonly Metadata[]): string[] {
  const problems: string[] = [];
  const byName = new Map(graphInputs.map((m) => [m.name, m]));
  for (const input of manifest.signature.inputs) {
    const graph = byName.get(input.name);
    const expected = TENSOR_TYPE_OF[input.type];
    if (graph === undefined) problems.push(`input "${input.name}" is not an input of the ONNX graph`);
    else if (!graph.isTensor) problems.push(`input "${input.name}" of the ONNX graph is not a tensor`);
    else if (graph.type !== expected) {
      problems.push(
        `input "${input.name}" of the ONNX graph is ${graph.type}, but the signature says ${input.type} (${expected ?? 'not fed by Slipway'})`,
      );
    }
  }
  const declared = new Set(manifest.signature.inputs.map((i) => i.name));
  for (const graph of graphInputs) {
    if (!declared.has(graph.name))
      problems.push(`the ONNX graph has input "${graph.name}", which is not in the signature`);
  }
  return problems;
}

function outputProblems(manifest: OnnxModelManifest, graphOutputs: readonly Metadata[]): string[] {
  const problems: string[] = [];
  const byName = new Map(graphOutputs.map((m) => [m.name, m]));
  const check = (role: 'probabilities' | 'value', name: string | undefined): void => {
    if (name === undefined) return;
    const graph = byName.get(name);
    if (graph === undefined) return void problems.push(`output "${name}" (${role}) is not an output of the ONNX graph`);
    if (!graph.isTensor) {
      return void problems.push(
        `output "${name}" (${role}) of the ONNX graph is not a tensor (export a scikit-learn classifier with zipmap disabled)`,
      );
    }
    if (!NUMERIC_OUTPUT_TYPES.has(graph.type)) {
      return void problems.push(
        `output "${name}" (${role}) of the ONNX graph is ${graph.type}, not float32 or float64`,
      );
    }
    const columns = graph.shape[1];
    const classes = manifest.classes?.length;
    if (role === 'probabilities' && typeof columns === 'number' && columns !== classes) {
      problems.push(
        `output "${name}" of the ONNX graph has ${columns} probability columns, but the model names ${classes} classes`,
      );
    }
  };
  if (manifest.task === 'regression') check('value', manifest.outputs.value);
  else check('probabilities', manifest.outputs.probabilities);
  return problems;
}
