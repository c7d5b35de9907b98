/**
 * What an ONNX file says about itself, read with ONNX Runtime before anything is stored: its inputs and outputs by
 * name, with the signature type Slipway gives each tensor (float32 → `float`, float64 → `double`, string →
 * `string`, integers → `int`, bool → `bool`) and its shape. Used to register a model trained elsewhere
 * (`slipway models import`), whose features and task come from its graph.
 */
import { FinalErrorType, finalFailure, type TrainerValueType } from '@slipway/sdk';
import { InferenceSession } from 'onnxruntime-node';
import { ONNX_SESSION_OPTIONS } from './session-cache.js';

/** One input or output of an ONNX graph. */
export interface OnnxGraphValue {
  name: string;
  /** The signature type of the tensor; undefined for a non-tensor value or a tensor type Slipway has no name for. */
  type: TrainerValueType | undefined;
  /** ONNX Runtime's name of the value's type (`float32`, `string`, …), or `non-tensor`. */
  onnxType: string;
  /** The tensor's shape (numbers, or names of symbolic dimensions); empty when unknown. */
  shape: readonly (number | string)[];
}

/** The inputs and outputs of an ONNX graph, in the graph's order. */
export interface OnnxGraphInfo {
  inputs: OnnxGraphValue[];
  outputs: OnnxGraphValue[];
}

const SIGNATURE_TYPE_OF: Readonly<Record<string, TrainerValueType>> = Object.freeze({
  float32: 'float',
  float64: 'double',
  string: 'string',
  int64: 'int',
  int32: 'int',
  bool: 'bool',
});

function valueOf(metadata: InferenceSession.ValueMetadata): OnnxGraphValue {
  if (!metadata.isTensor) return { name: metadata.name, type: undefined, onnxType: 'non-tensor', shape: [] };
  return {
    name: metadata.name,
    type: SIGNATURE_TYPE_OF[metadata.type],
    onnxType: metadata.type,
    shape: metadata.shape,
  };
}

/**
 * Loads the bytes with ONNX Runtime (CPU) and returns the graph's inputs and outputs. Bytes that are not an ONNX
 * model ONNX Runtime can load fail with a final `SlipwayInvalidInput` naming `source` and ONNX Runtime's reason.
 */
export async function inspectOnnxModel(bytes: Uint8Array, source: string): Promise<OnnxGraphInfo> {
  let session: InferenceSession;
  try {
    session = await InferenceSession.create(bytes, { ...ONNX_SESSION_OPTIONS });
  } catch (err) {
    throw finalFailure(
      FinalErrorType.InvalidInput,
      `${source} is not an ONNX model ONNX Runtime can load: ${err instanceof Error ? err.message : String(err)}`,
      { source },
    );
  }
  try {
    return { inputs: session.inputMetadata.map(valueOf), outputs: session.outputMetadata.map(valueOf) };
  } finally {
    await session.release();
  }
}
