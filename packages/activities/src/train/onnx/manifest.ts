/**
 * Builds the manifest of an ONNX model from what its trainer said (task, classes, signature) and what the pipeline
 * declared (features), and checks that they fit before anything is stored: the features are the signature's inputs
 * with the right types, a classifier names its classes (a binary one exactly two) and has a `probabilities` output,
 * a regressor has one numeric output.
 */
import {
  FinalErrorType,
  ONNX_MODEL_KIND,
  OnnxModelManifest,
  finalFailure,
  parseOrFail,
  type ArtifactRef,
  type ClassLabel,
  type FeatureSpec,
  type ModelTask,
  type OnnxOutputNames,
  type TrainerSignature,
} from '@slipway/sdk';
import { describeProblems, signatureProblems, type SignatureProblem } from './signature.js';

/** The output scikit-learn classifiers exported with skl2onnx (zipmap disabled) give their class probabilities in. */
export const PROBABILITIES_OUTPUT = 'probabilities';
/** The output skl2onnx gives a classifier's predicted label in. */
export const LABEL_OUTPUT = 'label';
/** The output skl2onnx gives a regressor's prediction in. */
export const VALUE_OUTPUT = 'variable';

const NUMERIC_OUTPUT_TYPES = new Set(['float', 'double']);

/** What {@link onnxManifestFor} builds a manifest from. */
export interface OnnxManifestInput {
  task: ModelTask;
  features: FeatureSpec;
  signature: TrainerSignature;
  /** Classifiers: the classes in the order of the probability columns. */
  classes?: readonly ClassLabel[] | undefined;
  /** The `.onnx` file. */
  model: ArtifactRef;
  /** Features for which a null is a value the model was trained with. */
  nullable?: readonly string[] | undefined;
}

function outputNames(input: OnnxManifestInput, problems: SignatureProblem[]): OnnxOutputNames {
  const outputs = input.signature.outputs;
  const find = (name: string) => outputs.findIndex((o) => o.name === name);
  const numeric = (index: number, role: string): void => {
    const output = outputs[index];
    if (output !== undefined && !NUMERIC_OUTPUT_TYPES.has(output.type)) {
      problems.push({
        path: `signature.outputs.${index}.type`,
        message: `the ${role} output "${output.name}" is ${output.type}, not float or double`,
      });
    }
  };
  if (input.task === 'regression') {
    const index = outputs.length === 1 ? 0 : find(VALUE_OUTPUT);
    if (index < 0) {
      problems.push({
        path: 'signature.outputs',
        message: `a regression model has one output (or one named "${VALUE_OUTPUT}"); found ${outputs.map((o) => `"${o.name}"`).join(', ')}`,
      });
      return {};
    }
    numeric(index, 'value');
    return { value: (outputs[index] as { name: string }).name };
  }
  const probabilities = find(PROBABILITIES_OUTPUT);
  if (probabilities < 0) {
    problems.push({
      path: 'signature.outputs',
      message: `a ${input.task} classifier has an output named "${PROBABILITIES_OUTPUT}" (export it with zipmap disabled)`,
    });
    return {};
  }
  numeric(probabilities, 'probabilities');
  return { probabilities: PROBABILITIES_OUTPUT, ...(find(LABEL_OUTPUT) >= 0 ? { label: LABEL_OUTPUT } : {}) };
}

function classProblems(input: OnnxManifestInput): SignatureProblem[] {
  const { task, classes } = input;
  if (task === 'regression') {
    return classes === undefined ? [] : [{ path: 'classes', message: 'a regression model has no classes' }];
  }
  if (classes === undefined) return [{ path: 'classes', message: `a ${task} model names its classes` }];
  if (task === 'binary' && classes.length !== 2) {
    return [{ path: 'classes', message: `a binary model has exactly 2 classes, not ${classes.length}` }];
  }
  if (task === 'multiclass' && classes.length < 2) {
    return [{ path: 'classes', message: `a multiclass model has at least 2 classes, not ${classes.length}` }];
  }
  const seen = new Set<string>();
  for (const c of classes) {
    const key = `${typeof c}:${String(c)}`;
    if (seen.has(key)) return [{ path: 'classes', message: `class ${JSON.stringify(c)} appears twice` }];
    seen.add(key);
  }
  return [];
}

function nullableProblems(input: OnnxManifestInput): SignatureProblem[] {
  const features = new Set([...input.features.numeric, ...input.features.categorical]);
  return (input.nullable ?? [])
    .filter((name) => !features.has(name))
    .map((name) => ({ path: 'nullable', message: `"${name}" is not a feature of the model` }));
}

/**
 * Builds and checks the manifest of an ONNX model. Output names: a classifier's `probabilities` (and `label` when
 * the signature has it), a regressor's single output (or the one named `variable`). Throws a final
 * `SlipwayInvalidInput` naming every field that does not fit (`features.numeric`, `signature.inputs.2.type`,
 * `classes`, `signature.outputs`, …).
 */
export function onnxManifestFor(input: OnnxManifestInput): OnnxModelManifest {
  const problems: SignatureProblem[] = [
    ...signatureProblems(input.features, input.signature),
    ...classProblems(input),
    ...nullableProblems(input),
  ];
  const outputs = outputNames(input, problems);
  if (problems.length > 0) {
    throw finalFailure(FinalErrorType.InvalidInput, `Not a valid ONNX model: ${describeProblems(problems)}`, {
      issues: problems,
    });
  }
  const manifest = {
    kind: ONNX_MODEL_KIND,
    task: input.task,
    features: input.features,
    ...(input.task !== 'regression' && input.classes ? { classes: [...input.classes] } : {}),
    signature: input.signature,
    outputs,
    model: input.model,
    ...(input.nullable && input.nullable.length > 0 ? { nullable: [...input.nullable] } : {}),
  };
  return parseOrFail(OnnxModelManifest, manifest, 'Not a valid ONNX model manifest');
}
