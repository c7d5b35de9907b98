/**
 * Rows made into the inputs of an ONNX graph: one `[rows, 1]` tensor per feature, named after it. A numeric feature
 * is a float32 tensor (float64 when the signature says `double`); a null is NaN, the missing value scikit-learn
 * pipelines impute. A categorical feature is a string tensor of `String(value)`; a null is the empty string (what a
 * CSV writes for an empty cell). A value the feature cannot take throws a `TypeError` naming the feature and row.
 */
import type { TrainerValueType } from '@slipway/sdk';
import { Tensor } from 'onnxruntime-node';
import type { TypedRow } from '../../ports.js';
import { showValue } from '../class-index.js';
import { numericFeature } from '../encoding.js';

/** One graph input: the feature it carries and its signature type. */
export interface OnnxInput {
  readonly name: string;
  readonly type: TrainerValueType;
}

/** The feeds of `session.run` for `rows`. */
export function inputTensors(inputs: readonly OnnxInput[], rows: readonly TypedRow[]): Record<string, Tensor> {
  const feeds: Record<string, Tensor> = {};
  for (const input of inputs) feeds[input.name] = inputTensor(input, rows);
  return feeds;
}

function inputTensor(input: OnnxInput, rows: readonly TypedRow[]): Tensor {
  const dims = [rows.length, 1];
  if (input.type === 'string') {
    const data = rows.map((row, i) => categoricalValue(input.name, row[input.name], i));
    return new Tensor('string', data, dims);
  }
  const data = input.type === 'double' ? new Float64Array(rows.length) : new Float32Array(rows.length);
  rows.forEach((row, i) => {
    data[i] = numericValue(input.name, row[input.name], i);
  });
  return new Tensor(input.type === 'double' ? 'float64' : 'float32', data, dims);
}

function numericValue(name: string, value: TypedRow[string] | undefined, index: number): number {
  try {
    return numericFeature(name, value) ?? Number.NaN;
  } catch (err) {
    throw new TypeError(`Row ${index + 1}: ${(err as Error).message}`);
  }
}

function categoricalValue(name: string, value: unknown, index: number): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string' || typeof value === 'boolean') return String(value);
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  throw new TypeError(
    `Row ${index + 1}: Feature "${name}": expected a string, number or boolean, got ${showValue(value)}`,
  );
}
