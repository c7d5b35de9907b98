/**
 * The model artifact of an ONNX model: a small JSON manifest (stored like every serialized model, `kind` first)
 * that names the `.onnx` file by reference and digest, and says how to feed it and read it. The manifest's digest
 * is the version's digest, so it binds the ONNX bytes too.
 */
import { z } from 'zod';
import { ArtifactRef } from './artifact.js';
import { ClassLabel, FeatureSpec, ModelTask } from './model.js';
import { TrainerSignature } from './trainer-protocol.js';

/** The `kind` of an ONNX model manifest. */
export const ONNX_MODEL_KIND = 'onnx';

/** Which graph outputs hold the predicted label, the class probabilities (`[rows, classes]`) and the value. */
export const OnnxOutputNames = z
  .object({
    label: z.string().min(1).optional(),
    probabilities: z.string().min(1).optional(),
    value: z.string().min(1).optional(),
  })
  .strict();
/** Which graph outputs hold what. */
export type OnnxOutputNames = z.infer<typeof OnnxOutputNames>;

/**
 * An ONNX model manifest. Each feature is one graph input of the same name (`[rows, 1]`): numeric features take
 * `float` (or `double`), categorical ones `string`. Classification reads `outputs.probabilities` (one column per
 * class, in `classes` order); regression reads `outputs.value`.
 */
export const OnnxModelManifest = z
  .object({
    kind: z.literal(ONNX_MODEL_KIND),
    task: ModelTask,
    features: FeatureSpec,
    /** Classification: the classes in the order of the probability columns (binary: negative, then positive). */
    classes: z.array(ClassLabel).min(2).optional(),
    signature: TrainerSignature,
    outputs: OnnxOutputNames,
    /** The `.onnx` file. */
    model: ArtifactRef,
    /** Features for which a null is a value the model was trained with (default none). */
    nullable: z.array(z.string()).optional(),
  })
  .strict()
  .superRefine((m, ctx) => {
    const classification = m.task !== 'regression';
    if (classification && m.classes === undefined) {
      ctx.addIssue({ code: 'custom', path: ['classes'], message: `a ${m.task} model names its classes` });
    }
    if (m.task === 'binary' && m.classes !== undefined && m.classes.length !== 2) {
      ctx.addIssue({ code: 'custom', path: ['classes'], message: 'a binary model has exactly 2 classes' });
    }
    if (classification && m.outputs.probabilities === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['outputs', 'probabilities'],
        message: 'a classifier names its probability output',
      });
    }
    if (!classification && m.outputs.value === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['outputs', 'value'],
        message: 'a regression model names its value output',
      });
    }
    const inputs = new Set(m.signature.inputs.map((i) => i.name));
    for (const feature of [...m.features.numeric, ...m.features.categorical]) {
      if (!inputs.has(feature)) {
        ctx.addIssue({
          code: 'custom',
          path: ['signature', 'inputs'],
          message: `feature "${feature}" is not a model input`,
        });
      }
    }
  });
/** An ONNX model manifest. */
export type OnnxModelManifest = z.infer<typeof OnnxModelManifest>;
