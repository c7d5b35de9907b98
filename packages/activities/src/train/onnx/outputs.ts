/**
 * The outputs of one `session.run` read into {@link ModelOutput}s: a classifier's probability tensor
 * (`[rows, classes]`) row by row, a regressor's value tensor (`[rows]` or `[rows, 1]`) value by value. A tensor of
 * another shape is an error naming the output.
 */
import type { Tensor } from 'onnxruntime-node';
import type { ModelOutput } from '../../ports.js';

function numbers(name: string, tensor: Tensor | undefined): Float32Array | Float64Array {
  if (tensor === undefined) throw new Error(`The ONNX model returned no output "${name}"`);
  if (!(tensor.data instanceof Float32Array) && !(tensor.data instanceof Float64Array)) {
    throw new Error(`Output "${name}" of the ONNX model is ${tensor.type}, not float32 or float64`);
  }
  return tensor.data;
}

/** One probability row per input row, `classes` columns each. */
export function probabilityOutputs(
  name: string,
  tensor: Tensor | undefined,
  rows: number,
  classes: number,
): ModelOutput[] {
  const data = numbers(name, tensor);
  const dims = tensor?.dims ?? [];
  if (dims.length !== 2 || dims[0] !== rows || dims[1] !== classes) {
    throw new Error(
      `Output "${name}" of the ONNX model has shape [${dims.join(', ')}], expected [${rows}, ${classes}]`,
    );
  }
  const outputs: ModelOutput[] = new Array<ModelOutput>(rows);
  for (let i = 0; i < rows; i++)
    outputs[i] = { probabilities: Array.from(data.subarray(i * classes, (i + 1) * classes)) };
  return outputs;
}

/** One value per input row. */
export function valueOutputs(name: string, tensor: Tensor | undefined, rows: number): ModelOutput[] {
  const data = numbers(name, tensor);
  const dims = tensor?.dims ?? [];
  const fits = (dims.length === 1 && dims[0] === rows) || (dims.length === 2 && dims[0] === rows && dims[1] === 1);
  if (!fits)
    throw new Error(`Output "${name}" of the ONNX model has shape [${dims.join(', ')}], expected [${rows}, 1]`);
  return Array.from(data, (value) => ({ value }));
}
