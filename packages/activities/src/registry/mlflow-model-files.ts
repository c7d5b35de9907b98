/**
 * The files of an MLflow Model directory for an ONNX model, as `mlflow.onnx.save_model` writes them: `MLmodel`
 * (the `onnx` flavor and the `python_function` flavor with loader `mlflow.onnx`, the signature), `model.onnx`,
 * `requirements.txt`, `python_env.yaml` and `conda.yaml`. Pure functions: the same manifest, bytes and environment
 * give the same files, so a retried registration writes the same objects.
 */
import type { OnnxModelManifest, TrainerValueType } from '@slipway/sdk';
import { stringify } from 'yaml';

/** The name of the model file inside the directory (MLflow's `_MODEL_DATA_SUBPATH`). */
export const MLFLOW_ONNX_DATA = 'model.onnx';

/** What the Python side needs to load the model: recorded in `MLmodel` and the environment files. */
export interface MlflowOnnxEnvironment {
  /** The MLflow version recorded as `mlflow_version` and pinned in the requirements (the tracking server's). */
  mlflow: string;
  /** The Python version recorded in the `python_function` flavor and the environment files. */
  python: string;
  /** The `onnx` version recorded in the `onnx` flavor and pinned in the requirements. */
  onnx: string;
  /** The `onnxruntime` version pinned in the requirements. */
  onnxruntime: string;
  /** The `numpy` version pinned in the requirements (MLflow's inference finds numpy in every ONNX model). */
  numpy: string;
}

/**
 * The defaults of {@link MlflowOnnxEnvironment} other than `mlflow` (read from the server): the versions
 * `scripts/install-mlflow.sh` installs next to MLflow, and the Python they were tested with.
 */
export const DEFAULT_MLFLOW_ONNX_ENVIRONMENT: Omit<MlflowOnnxEnvironment, 'mlflow'> = {
  python: '3.11',
  onnx: '1.23.2',
  onnxruntime: '1.31.1',
  numpy: '2.4.6',
};

/** One file of the directory. */
export interface MlflowModelFile {
  name: string;
  bytes: Buffer;
  mediaType: string;
}

/** What the `MLmodel` file is made of. */
export interface MlflowOnnxModelInput {
  manifest: OnnxModelManifest;
  /** The manifest's digest: the model's `model_uuid` is derived from it. */
  manifestDigest: string;
  /** The size of the `.onnx` bytes (`model_size_bytes`). */
  onnxSize: number;
  environment: MlflowOnnxEnvironment;
  /** `utc_time_created`. */
  createdAt: Date;
}

/** numpy dtypes of the signature's value types (MLflow's `TensorSpec` dtype names). */
const DTYPES: Record<TrainerValueType, string> = {
  float: 'float32',
  double: 'float64',
  int: 'int64',
  string: 'object',
  bool: 'bool',
};

interface TensorSpec {
  name: string;
  type: 'tensor';
  'tensor-spec': { dtype: string; shape: number[] };
}

/**
 * MLflow's signature of the model: a tensor-based schema with named inputs, one `[-1, 1]` tensor per graph input
 * (the manifest's contract), so that `pyfunc.predict(frame)` reshapes each column of a pandas frame to the graph's
 * input and casts it to its type; outputs are the graph outputs the manifest names: the label `[-1]`, the class
 * probabilities `[-1, classes]`, the regression value `[-1, 1]`.
 */
export function mlflowOnnxSignature(manifest: OnnxModelManifest): { inputs: string; outputs: string } {
  const typeOf = (name: string): TrainerValueType =>
    manifest.signature.outputs.find((o) => o.name === name)?.type ?? 'float';
  const inputs = manifest.signature.inputs.map((i) => tensor(i.name, i.type, [-1, 1]));
  const { label, probabilities, value } = manifest.outputs;
  const outputs = [
    ...(label === undefined ? [] : [tensor(label, typeOf(label), [-1])]),
    ...(probabilities === undefined
      ? []
      : [tensor(probabilities, typeOf(probabilities), [-1, manifest.classes?.length ?? 2])]),
    ...(value === undefined ? [] : [tensor(value, typeOf(value), [-1, 1])]),
  ];
  return { inputs: pythonJson(inputs), outputs: pythonJson(outputs) };
}

function tensor(name: string, type: TrainerValueType, shape: number[]): TensorSpec {
  return { name, type: 'tensor', 'tensor-spec': { dtype: DTYPES[type], shape } };
}

/** JSON as Python's `json.dumps` writes it (`", "` and `": "` separators), which is how MLflow stores schemas. */
function pythonJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(pythonJson).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${pythonJson(v)}`);
    return `{${entries.join(', ')}}`;
  }
  return JSON.stringify(value);
}

/** The `MLmodel` file (YAML with sorted keys, as MLflow's `yaml.safe_dump` writes it). */
export function mlmodelFile(input: MlflowOnnxModelInput): string {
  const { environment } = input;
  const model = {
    flavors: {
      onnx: {
        code: null,
        data: MLFLOW_ONNX_DATA,
        onnx_session_options: null,
        onnx_version: environment.onnx,
        providers: ['CUDAExecutionProvider', 'CPUExecutionProvider'],
      },
      python_function: {
        data: MLFLOW_ONNX_DATA,
        env: { conda: 'conda.yaml', virtualenv: 'python_env.yaml' },
        loader_module: 'mlflow.onnx',
        python_version: environment.python,
      },
    },
    is_signature_from_type_hint: false,
    mlflow_version: environment.mlflow,
    model_id: null,
    model_size_bytes: input.onnxSize,
    model_uuid: input.manifestDigest.slice('sha256:'.length, 'sha256:'.length + 32),
    prompts: null,
    signature: { ...mlflowOnnxSignature(input.manifest), params: null },
    type_hint_from_example: false,
    utc_time_created: utcTimeCreated(input.createdAt),
  };
  return stringify(model, { sortMapEntries: true, lineWidth: 0 });
}

/** `2026-12-02 17:22:41.603040`: Python's `str(datetime.utcnow())`. */
function utcTimeCreated(at: Date): string {
  return `${at.toISOString().slice(0, 10)} ${at.toISOString().slice(11, 23)}000`;
}

/** The pinned requirements, sorted as MLflow writes them. */
function requirements(environment: MlflowOnnxEnvironment): string[] {
  return [
    `mlflow==${environment.mlflow}`,
    `numpy==${environment.numpy}`,
    `onnx==${environment.onnx}`,
    `onnxruntime==${environment.onnxruntime}`,
  ];
}

/** `requirements.txt`, `python_env.yaml` and `conda.yaml`. */
export function environmentFiles(environment: MlflowOnnxEnvironment): MlflowModelFile[] {
  const pins = requirements(environment);
  const pythonEnv = {
    python: environment.python,
    build_dependencies: ['pip', 'setuptools', 'wheel'],
    dependencies: ['-r requirements.txt'],
  };
  const conda = {
    channels: ['conda-forge'],
    dependencies: [`python=${environment.python}`, 'pip', { pip: pins }],
    name: 'mlflow-env',
  };
  return [
    text('requirements.txt', pins.join('\n'), 'text/plain'),
    text('python_env.yaml', stringify(pythonEnv, { lineWidth: 0 }), 'application/yaml'),
    text('conda.yaml', stringify(conda, { sortMapEntries: true, lineWidth: 0 }), 'application/yaml'),
  ];
}

function text(name: string, content: string, mediaType: string): MlflowModelFile {
  return { name, bytes: Buffer.from(content, 'utf8'), mediaType };
}
