/**
 * The trainer protocol, version 1 (`docs/trainer-protocol.md`): what a trainer process reads (`input.json`), writes
 * on stdout (one JSON message a line) and leaves behind (`<outputDir>/result.json`). The JSON Schemas in
 * `docs/trainer-protocol/` are generated from these definitions; a unit test keeps them equal.
 */
import { z } from 'zod';
import { ClassLabel, ModelTask } from './model.js';

/** The protocol version this module describes; `input.json` and `result.json` both carry it as `protocol`. */
export const TRAINER_PROTOCOL_VERSION = 1;

/** Absolute paths only: a POSIX path (`/…`) or a Windows drive path (`C:\…`). No Node built-ins here. */
const AbsolutePath = z
  .string()
  .min(1)
  .regex(/^(\/|[A-Za-z]:[\\/])/, 'must be an absolute path');

/** A path relative to a directory that stays inside it: not absolute, no `..` segment. */
const InsidePath = z
  .string()
  .min(1)
  .refine((p) => !/^(\/|\\|[A-Za-z]:)/.test(p), 'must be relative to the output directory')
  .refine((p) => !p.split(/[\\/]/).includes('..'), 'must not contain ".." segments');

/** Metric values: finite numbers by name (JSON has no NaN or Infinity). */
const FiniteMetrics = z.record(z.string().min(1), z.number());

/** What the model predicts: a class out of two, a class out of several, or a number (the same as `ModelTask`). */
export const TrainerTask = ModelTask;
/** What the model predicts: a class out of two, a class out of several, or a number. */
export type TrainerTask = z.infer<typeof TrainerTask>;

/** One split of the data, materialised as a local file for the trainer. */
export const TrainerSplitFile = z
  .object({
    /** The file (absolute). */
    path: AbsolutePath,
    /** `csv`: header row, comma separated, RFC 4180 quoting; or `parquet`. */
    format: z.enum(['csv', 'parquet']),
    /** The content digest of the file. */
    digest: z.string().regex(/^sha256:[0-9a-f]{64}$/, 'expected sha256:<64 lowercase hex digits>'),
    /** How many data rows the file holds. */
    rows: z.number().int().min(0),
  })
  .strict();
/** One split of the data, materialised as a local file for the trainer. */
export type TrainerSplitFile = z.infer<typeof TrainerSplitFile>;

/** `input.json`: what a trainer process is asked to do. Paths are absolute. */
export const TrainerInputFile = z
  .object({
    protocol: z.literal(TRAINER_PROTOCOL_VERSION),
    task: TrainerTask,
    /** The feature columns and the target column; split files hold them in this order: numeric, categorical, target. */
    features: z
      .object({
        numeric: z.array(z.string().min(1)),
        categorical: z.array(z.string().min(1)),
        target: z.string().min(1),
      })
      .strict(),
    /** The trainer's own parameters, passed through as given. */
    params: z.record(z.string(), z.unknown()),
    /** The seed the trainer should use for anything random. */
    seed: z.number().int(),
    splits: z.object({ train: TrainerSplitFile, heldout: TrainerSplitFile }).strict(),
    /** Where the trainer writes its model file and `result.json` (absolute; exists, empty). */
    outputDir: AbsolutePath,
    /** The checkpoint to resume from (inside the working directory), or null to start from scratch. */
    resumeFrom: z
      .object({ path: AbsolutePath, step: z.number().int().min(0) })
      .strict()
      .nullable(),
  })
  .strict();
/** `input.json`: what a trainer process is asked to do. */
export type TrainerInputFile = z.infer<typeof TrainerInputFile>;

/** A stdout line reporting progress: becomes a heartbeat and a point of the tracked metric series. */
export const TrainerProgressMessage = z.object({
  type: z.literal('progress'),
  step: z.number().int().min(0),
  epoch: z.number().int().min(0).optional(),
  metrics: FiniteMetrics.default({}),
});
/** A stdout line reporting progress. */
export type TrainerProgressMessage = z.infer<typeof TrainerProgressMessage>;

/**
 * A stdout line announcing a checkpoint file the trainer has finished writing: relative to the working directory,
 * or absolute inside it. The worker stores it; a retry gets it back as `resumeFrom`.
 */
export const TrainerCheckpointMessage = z.object({
  type: z.literal('checkpoint'),
  path: z.string().min(1),
  step: z.number().int().min(0),
});
/** A stdout line announcing a checkpoint file. */
export type TrainerCheckpointMessage = z.infer<typeof TrainerCheckpointMessage>;

/** The levels of a trainer's log message. */
export const TrainerLogLevel = z.enum(['debug', 'info', 'warn', 'error']);
/** The level of a trainer's log message. */
export type TrainerLogLevel = z.infer<typeof TrainerLogLevel>;

/** A stdout line with a log message. */
export const TrainerLogMessage = z.object({
  type: z.literal('log'),
  level: TrainerLogLevel,
  message: z.string(),
});
/** A stdout line with a log message. */
export type TrainerLogMessage = z.infer<typeof TrainerLogMessage>;

/** One protocol message on a trainer's stdout (one JSON object a line), by `type`. */
export const TrainerStdoutMessage = z.discriminatedUnion('type', [
  TrainerProgressMessage,
  TrainerCheckpointMessage,
  TrainerLogMessage,
]);
/** One protocol message on a trainer's stdout. */
export type TrainerStdoutMessage = z.infer<typeof TrainerStdoutMessage>;

/** The `type` values of the protocol's stdout messages. */
export const TRAINER_MESSAGE_TYPES: readonly TrainerStdoutMessage['type'][] = ['progress', 'checkpoint', 'log'];

/** The value types of a model's inputs and outputs. */
export const TrainerValueType = z.enum(['float', 'double', 'int', 'string', 'bool']);
/** The value type of a model input or output. */
export type TrainerValueType = z.infer<typeof TrainerValueType>;

const SignatureEntry = z.object({ name: z.string().min(1), type: TrainerValueType }).strict();

/** The inputs and outputs of a model, by name and type; names are unique within each list. */
export const TrainerSignature = z
  .object({
    inputs: z.array(SignatureEntry).min(1),
    outputs: z.array(SignatureEntry).min(1),
  })
  .strict()
  .superRefine((signature, ctx) => {
    for (const side of ['inputs', 'outputs'] as const) {
      const seen = new Set<string>();
      signature[side].forEach((entry, index) => {
        if (seen.has(entry.name)) {
          ctx.addIssue({ code: 'custom', path: [side, index, 'name'], message: `duplicate name "${entry.name}"` });
        }
        seen.add(entry.name);
      });
    }
  });
/** The inputs and outputs of a model, by name and type. */
export type TrainerSignature = z.infer<typeof TrainerSignature>;

/** `<outputDir>/result.json`: the model a trainer produced. Required on exit 0; unknown top-level fields are refused. */
export const TrainerResultFile = z
  .object({
    protocol: z.literal(TRAINER_PROTOCOL_VERSION),
    /** The model file, relative to the output directory, and its format. */
    model: z.object({ path: InsidePath, format: z.enum(['onnx', 'slipway-json']) }).strict(),
    signature: TrainerSignature,
    /**
     * Classification only: the classes in the order of the model's probability output (scikit-learn's `classes_`).
     * Left out, they are the distinct target values of the training split, sorted (scikit-learn's order).
     */
    classes: z.array(ClassLabel).min(2).optional(),
    /** The trainer's own metrics (Slipway recomputes the held-out metrics itself). */
    metrics: FiniteMetrics.default({}),
  })
  .strict();
/** `<outputDir>/result.json`: the model a trainer produced. */
export type TrainerResultFile = z.infer<typeof TrainerResultFile>;
