import { describe, expect, it } from 'vitest';
import { onnxManifestFor, type OnnxManifestInput } from '../../../../packages/activities/src/train/index.js';
import { OnnxModelManifest, failureType } from '../../../../packages/sdk/src/index.js';

const model = {
  uri: 'file:///store/ab/model.onnx',
  digest: `sha256:${'a'.repeat(64)}`,
  size: 10,
  mediaType: 'application/octet-stream',
};
const features = { numeric: ['tenure', 'charges'], categorical: ['plan'], target: 'churned' };
const inputs = [
  { name: 'tenure', type: 'float' as const },
  { name: 'charges', type: 'double' as const },
  { name: 'plan', type: 'string' as const },
];
const classifier: OnnxManifestInput = {
  task: 'binary',
  features,
  signature: {
    inputs,
    outputs: [
      { name: 'label', type: 'int' },
      { name: 'probabilities', type: 'float' },
    ],
  },
  classes: [0, 1],
  model,
};
const regressor: OnnxManifestInput = {
  task: 'regression',
  features,
  signature: { inputs, outputs: [{ name: 'variable', type: 'float' }] },
  model,
};

function refusal(input: OnnxManifestInput): Error {
  try {
    onnxManifestFor(input);
  } catch (err) {
    expect(failureType(err)).toBe('SlipwayInvalidInput');
    return err as Error;
  }
  throw new Error('the manifest should have been refused');
}

describe('onnxManifestFor', () => {
  it('builds a classifier manifest reading probabilities (and label), valid for the sdk schema', () => {
    const manifest = onnxManifestFor({ ...classifier, nullable: ['charges'] });
    expect(OnnxModelManifest.parse(manifest)).toEqual(manifest);
    expect(manifest).toMatchObject({
      kind: 'onnx',
      task: 'binary',
      classes: [0, 1],
      outputs: { probabilities: 'probabilities', label: 'label' },
      nullable: ['charges'],
      model,
    });
    const multiclass = onnxManifestFor({
      ...classifier,
      task: 'multiclass',
      classes: ['a', 'b', 'c'],
      signature: { inputs, outputs: [{ name: 'probabilities', type: 'float' }] },
    });
    expect(multiclass.outputs).toEqual({ probabilities: 'probabilities' });
  });

  it("builds a regressor manifest reading its single output, or the one named 'variable'", () => {
    expect(onnxManifestFor(regressor).outputs).toEqual({ value: 'variable' });
    const single = onnxManifestFor({
      ...regressor,
      signature: { inputs, outputs: [{ name: 'price', type: 'double' }] },
    });
    expect(single.outputs).toEqual({ value: 'price' });
    const two = onnxManifestFor({
      ...regressor,
      signature: {
        inputs,
        outputs: [
          { name: 'variance', type: 'float' },
          { name: 'variable', type: 'float' },
        ],
      },
    });
    expect(two.outputs).toEqual({ value: 'variable' });
    expect(two).not.toHaveProperty('classes');
  });

  it('refuses a feature that is not an input, naming the feature', () => {
    const err = refusal({ ...classifier, features: { ...features, categorical: ['plan', 'region'] } });
    expect(err.message).toContain('features.categorical: feature "region" is not an input of the model');
  });

  it('refuses an input whose type does not fit its feature, naming the field and the input', () => {
    const wrong = inputs.map((i) => (i.name === 'plan' ? { ...i, type: 'float' as const } : i));
    const err = refusal({ ...classifier, signature: { ...classifier.signature, inputs: wrong } });
    expect(err.message).toContain(
      'signature.inputs.2.type: input "plan" is float, but categorical feature "plan" needs string',
    );
    const integer = inputs.map((i) => (i.name === 'tenure' ? { ...i, type: 'int' as const } : i));
    expect(refusal({ ...classifier, signature: { ...classifier.signature, inputs: integer } }).message).toContain(
      'signature.inputs.0.type: input "tenure" is int, but numeric feature "tenure" needs float or double',
    );
  });

  it('refuses an input that is not a feature (Slipway could not feed it)', () => {
    const extra = [...inputs, { name: 'region', type: 'string' as const }];
    expect(refusal({ ...classifier, signature: { ...classifier.signature, inputs: extra } }).message).toContain(
      'signature.inputs.3.name: input "region" is not a feature',
    );
  });

  it('refuses classifiers without classes, a binary model with 3 classes, duplicate classes, classes on a regressor', () => {
    const { classes: _classes, ...noClasses } = classifier;
    expect(refusal(noClasses).message).toContain('classes: a binary model names its classes');
    expect(refusal({ ...classifier, classes: [0, 1, 2] }).message).toContain(
      'classes: a binary model has exactly 2 classes, not 3',
    );
    expect(refusal({ ...classifier, task: 'multiclass', classes: ['a', 'b', 'a'] }).message).toContain(
      'classes: class "a" appears twice',
    );
    expect(refusal({ ...regressor, classes: [0, 1] }).message).toContain('classes: a regression model has no classes');
  });

  it('refuses a classifier without a probabilities output (zipmap on) and a regressor with no clear output', () => {
    const zipmap = refusal({
      ...classifier,
      signature: {
        inputs,
        outputs: [
          { name: 'output_label', type: 'int' },
          { name: 'output_probability', type: 'float' },
        ],
      },
    });
    expect(zipmap.message).toContain('signature.outputs: a binary classifier has an output named "probabilities"');
    const unclear = refusal({
      ...regressor,
      signature: {
        inputs,
        outputs: [
          { name: 'a', type: 'float' },
          { name: 'b', type: 'float' },
        ],
      },
    });
    expect(unclear.message).toContain(
      'signature.outputs: a regression model has one output (or one named "variable"); found "a", "b"',
    );
    const text = refusal({ ...regressor, signature: { inputs, outputs: [{ name: 'variable', type: 'string' }] } });
    expect(text.message).toContain(
      'signature.outputs.0.type: the value output "variable" is string, not float or double',
    );
  });

  it('refuses nullable names that are not features', () => {
    expect(refusal({ ...regressor, nullable: ['age'] }).message).toContain(
      'nullable: "age" is not a feature of the model',
    );
  });
});
