/**
 * What an ONNX model's signature must say for Slipway to feed it: every feature is an input of the same name, of
 * the type its kind needs (a numeric feature a `float` or `double` input, a categorical one a `string` input), and
 * every input is a feature (Slipway feeds only features). The manifest builder and the loader both check through
 * here, so a hand-written manifest is held to the same rules as one Slipway built.
 */
import type { FeatureSpec, TrainerSignature, TrainerValueType } from '@slipway/sdk';

/** The signature types a numeric feature may have. */
export const NUMERIC_INPUT_TYPES: readonly TrainerValueType[] = ['float', 'double'];
/** The signature type a categorical feature has. */
export const CATEGORICAL_INPUT_TYPE: TrainerValueType = 'string';

/** One problem with a signature: the field path it concerns and what is wrong. */
export interface SignatureProblem {
  /** Field path, e.g. `signature.inputs.2.type` or `features.numeric`. */
  path: string;
  message: string;
}

/** The problems of `signature` as the inputs of a model with `features` (empty when it fits). */
export function signatureProblems(features: FeatureSpec, signature: TrainerSignature): SignatureProblem[] {
  const problems: SignatureProblem[] = [];
  const inputs = new Map(signature.inputs.map((input, index) => [input.name, { type: input.type, index }]));
  const kinds: [readonly string[], 'numeric' | 'categorical'][] = [
    [features.numeric, 'numeric'],
    [features.categorical, 'categorical'],
  ];
  for (const [names, kind] of kinds) {
    for (const name of names) {
      const input = inputs.get(name);
      if (input === undefined) {
        problems.push({ path: `features.${kind}`, message: `feature "${name}" is not an input of the model` });
        continue;
      }
      const allowed = kind === 'numeric' ? NUMERIC_INPUT_TYPES : [CATEGORICAL_INPUT_TYPE];
      if (!allowed.includes(input.type)) {
        problems.push({
          path: `signature.inputs.${input.index}.type`,
          message: `input "${name}" is ${input.type}, but ${kind} feature "${name}" needs ${allowed.join(' or ')}`,
        });
      }
    }
  }
  const featureNames = new Set([...features.numeric, ...features.categorical]);
  signature.inputs.forEach((input, index) => {
    if (!featureNames.has(input.name)) {
      problems.push({
        path: `signature.inputs.${index}.name`,
        message: `input "${input.name}" is not a feature (Slipway feeds a model its features only)`,
      });
    }
  });
  return problems;
}

/** `path: message; …` of the problems. */
export function describeProblems(problems: readonly SignatureProblem[]): string {
  return problems.map((p) => `${p.path}: ${p.message}`).join('; ');
}
