/**
 * What a model trained elsewhere is, read from its ONNX graph and its reference dataset: the features (one per
 * graph input: float or double → numeric, string → categorical), the task (a `probabilities` output → a
 * classifier, binary with two classes; one numeric output → a regressor), the signature, the target column and
 * the classes. Pure: every refusal names what was wrong and where.
 */
import type { OnnxGraphInfo } from '@slipway/activities';
import type { ClassLabel, FeatureSpec, ModelTask, RowSchema, TrainerSignature } from '@slipway/sdk';

/** What a model takes and gives, before the reference is read. */
export interface GraphPlan {
  numeric: string[];
  categorical: string[];
  /** `classifier` when the graph has a `probabilities` output, `regression` when it has one numeric output. */
  kind: 'classifier' | 'regression';
  signature: TrainerSignature;
}

/** The features, kind and signature of an ONNX graph; throws naming the input or outputs that do not fit. */
export function planFromGraph(graph: OnnxGraphInfo, file: string): GraphPlan {
  const numeric: string[] = [];
  const categorical: string[] = [];
  for (const input of graph.inputs) {
    if (input.type === 'float' || input.type === 'double') numeric.push(input.name);
    else if (input.type === 'string') categorical.push(input.name);
    else {
      throw new Error(
        `${file}: input "${input.name}" of the ONNX graph is ${input.onnxType}; Slipway feeds float, double (numeric features) or string (categorical features) inputs`,
      );
    }
  }
  const outputs = graph.outputs.filter((o) => o.type !== undefined);
  const described = graph.outputs.map((o) => `"${o.name}" (${o.onnxType})`).join(', ');
  const probabilities = graph.outputs.find((o) => o.name === 'probabilities');
  const numericOutputs = outputs.filter((o) => o.type === 'float' || o.type === 'double');
  let kind: GraphPlan['kind'];
  if (probabilities !== undefined) {
    if (probabilities.type !== 'float' && probabilities.type !== 'double') {
      throw new Error(
        `${file}: output "probabilities" of the ONNX graph is ${probabilities.onnxType}, not a float tensor (export a scikit-learn classifier with zipmap disabled)`,
      );
    }
    kind = 'classifier';
  } else if (graph.outputs.length === 1 && numericOutputs.length === 1) {
    kind = 'regression';
  } else {
    throw new Error(
      `${file}: cannot tell what the model predicts from its outputs ${described}: a classifier has a float output named "probabilities" (skl2onnx with zipmap disabled), a regressor exactly one float output`,
    );
  }
  const signature = {
    inputs: graph.inputs.map((i) => ({ name: i.name, type: i.type as NonNullable<typeof i.type> })),
    outputs: outputs.map((o) => ({ name: o.name, type: o.type as NonNullable<typeof o.type> })),
  };
  return { numeric, categorical, kind, signature };
}

/**
 * The target column: the one given (it must be a column of the reference and not a model input), else the one
 * column of the reference the model does not take.
 */
export function targetColumn(
  columns: readonly string[],
  plan: Pick<GraphPlan, 'numeric' | 'categorical'>,
  given: string | undefined,
  reference: string,
): string {
  const inputs = new Set([...plan.numeric, ...plan.categorical]);
  if (given !== undefined) {
    if (inputs.has(given)) throw new Error(`--target ${given} is an input of the model, not what it predicts`);
    if (!columns.includes(given)) {
      throw new Error(`--target ${given} is not a column of ${reference} (columns: ${columns.join(', ')})`);
    }
    return given;
  }
  const others = columns.filter((c) => !inputs.has(c));
  if (others.length === 1) return others[0] as string;
  throw new Error(
    others.length === 0
      ? `${reference} has no column besides the model's inputs: it needs the target column the model predicts`
      : `${reference} has ${others.length} columns the model does not take (${others.join(', ')}): name the target with --target`,
  );
}

/** The type of a target column from its values as text: booleans, numbers, else strings. */
export function targetType(values: Iterable<string>): 'boolean' | 'number' | 'string' {
  let booleans = true;
  let numbers = true;
  for (const value of values) {
    booleans &&= value === 'true' || value === 'false';
    numbers &&= value.trim() !== '' && Number.isFinite(Number(value));
  }
  return booleans ? 'boolean' : numbers ? 'number' : 'string';
}

/** A class as the target column holds it, from its text. */
export function classOf(text: string, type: 'boolean' | 'number' | 'string'): ClassLabel {
  if (type === 'boolean') return text === 'true';
  return type === 'number' ? Number(text) : text;
}

/** Classes sorted as scikit-learn sorts `classes_`: false before true, numbers ascending, strings by code point. */
export function sortedClasses(classes: ClassLabel[]): ClassLabel[] {
  return [...classes].sort((a, b) =>
    typeof a === 'number' && typeof b === 'number' ? a - b : String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0,
  );
}

/**
 * The task and classes of a model: a regressor's task is `regression` (classes refused); a classifier's classes
 * are the given ones (each must occur in the reference's target) or the reference's distinct target values, and
 * its task `binary` with two classes, `multiclass` with more.
 */
export function taskAndClasses(
  kind: GraphPlan['kind'],
  distinct: readonly ClassLabel[],
  given: readonly ClassLabel[] | undefined,
): { task: ModelTask; classes?: ClassLabel[] } {
  if (kind === 'regression') {
    if (given !== undefined)
      throw new Error('--classes: the model is a regressor (one numeric output), it has no classes');
    return { task: 'regression' };
  }
  const seen = new Set(distinct.map((c) => `${typeof c}:${String(c)}`));
  const missing = (given ?? []).filter((c) => !seen.has(`${typeof c}:${String(c)}`));
  if (missing.length > 0) {
    throw new Error(
      `--classes: ${missing.map((c) => JSON.stringify(c)).join(', ')} never occur in the reference's target (it holds ${distinct.map((c) => JSON.stringify(c)).join(', ')})`,
    );
  }
  const classes = given === undefined ? sortedClasses([...distinct]) : [...given];
  if (classes.length < 2) {
    throw new Error(`the reference's target holds ${classes.length} class; a classifier needs at least 2`);
  }
  return { task: classes.length === 2 ? 'binary' : 'multiclass', classes };
}

/** The feature spec and row schema of the reference: features typed by the graph, the target by its values. */
export function referenceSchema(
  plan: Pick<GraphPlan, 'numeric' | 'categorical'>,
  target: string,
  type: 'boolean' | 'number' | 'string',
): { features: FeatureSpec; schema: RowSchema } {
  const columns: RowSchema['columns'] = {};
  for (const name of plan.numeric) columns[name] = { type: 'number', nullable: false, integer: false };
  for (const name of plan.categorical) columns[name] = { type: 'string', nullable: false };
  columns[target] = type === 'number' ? { type, nullable: false, integer: false } : { type, nullable: false };
  return {
    features: { numeric: plan.numeric, categorical: plan.categorical, target },
    schema: { columns, allowExtraColumns: true },
  };
}
