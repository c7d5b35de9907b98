/**
 * The trainer protocol's schemas (one definition in `@slipway/sdk`): what they accept and refuse, and the JSON
 * Schemas committed under `docs/trainer-protocol/`, which must equal what the zod schemas generate.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  TRAINER_PROTOCOL_SCHEMA_FILES,
  TrainerInputFile,
  TrainerResultFile,
  TrainerStdoutMessage,
  describeIssues,
  trainerProtocolJsonSchemas,
} from '../../../packages/sdk/src/index.js';

const DOCS = resolve(import.meta.dirname, '..', '..', '..', 'docs', 'trainer-protocol');
const DIGEST = `sha256:${'ab'.repeat(32)}`;

function input(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const split = (name: string) => ({ path: `/w/splits/${name}.csv`, format: 'csv', digest: DIGEST, rows: 10 });
  return {
    protocol: 1,
    task: 'binary',
    features: { numeric: ['tenure_months'], categorical: ['plan'], target: 'churned' },
    params: { max_depth: 3 },
    seed: 42,
    splits: { train: split('train'), heldout: split('heldout') },
    outputDir: '/w/out',
    resumeFrom: null,
    ...overrides,
  };
}

function result(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    protocol: 1,
    model: { path: 'model.onnx', format: 'onnx' },
    signature: {
      inputs: [
        { name: 'tenure_months', type: 'float' },
        { name: 'plan', type: 'string' },
      ],
      outputs: [{ name: 'label', type: 'int' }],
    },
    metrics: { auc: 0.83 },
    ...overrides,
  };
}

function issuesOf(schema: { safeParse(v: unknown): { success: boolean; error?: unknown } }, value: unknown): string {
  const parsed = schema.safeParse(value);
  expect(parsed.success).toBe(false);
  return describeIssues(parsed.error as Parameters<typeof describeIssues>[0]);
}

describe('the trainer protocol schemas', () => {
  it('accept the documented input.json and refuse relative paths, bad digests and unknown fields', () => {
    expect(TrainerInputFile.parse(input()).task).toBe('binary');
    expect(TrainerInputFile.parse(input({ resumeFrom: { path: '/w/resume/c.pkl', step: 3 } })).resumeFrom?.step).toBe(
      3,
    );
    expect(issuesOf(TrainerInputFile, input({ outputDir: 'out' }))).toContain('outputDir: must be an absolute path');
    const badDigest = input();
    (badDigest.splits as { train: { digest: string } }).train.digest = 'sha256:xyz';
    expect(issuesOf(TrainerInputFile, badDigest)).toContain('splits.train.digest');
    expect(issuesOf(TrainerInputFile, input({ task: 'ranking' }))).toContain('task');
    expect(issuesOf(TrainerInputFile, input({ extra: 1 }))).toContain('Unrecognized key: "extra"');
  });

  it('parse each stdout message type and name the missing field of a malformed one', () => {
    expect(TrainerStdoutMessage.parse({ type: 'progress', step: 2 })).toEqual({
      type: 'progress',
      step: 2,
      metrics: {},
    });
    expect(TrainerStdoutMessage.parse({ type: 'checkpoint', path: 'c/1.pkl', step: 1 }).type).toBe('checkpoint');
    expect(TrainerStdoutMessage.parse({ type: 'log', level: 'warn', message: 'hi' }).type).toBe('log');
    expect(issuesOf(TrainerStdoutMessage, { type: 'progress', epoch: 1 })).toContain('step:');
    expect(issuesOf(TrainerStdoutMessage, { type: 'progress', step: 1.5 })).toContain('step:');
    expect(issuesOf(TrainerStdoutMessage, { type: 'progress', step: 1, metrics: { loss: 'low' } })).toContain(
      'metrics.loss',
    );
    expect(issuesOf(TrainerStdoutMessage, { type: 'log', level: 'loud', message: 'x' })).toContain('level');
  });

  it('accept the documented result.json and refuse unknown top-level fields, escaping model paths and duplicates', () => {
    expect(TrainerResultFile.parse(result({ metrics: undefined })).metrics).toEqual({});
    expect(issuesOf(TrainerResultFile, result({ version: 2 }))).toContain('Unrecognized key: "version"');
    expect(issuesOf(TrainerResultFile, result({ model: { path: '../model.onnx', format: 'onnx' } }))).toContain(
      'model.path: must not contain ".." segments',
    );
    expect(issuesOf(TrainerResultFile, result({ model: { path: '/tmp/m.onnx', format: 'onnx' } }))).toContain(
      'model.path: must be relative to the output directory',
    );
    expect(issuesOf(TrainerResultFile, result({ model: { path: 'm.pt', format: 'torch' } }))).toContain('model.format');
    const duplicate = {
      inputs: [
        { name: 'a', type: 'float' },
        { name: 'a', type: 'int' },
      ],
      outputs: [{ name: 'y', type: 'float' }],
    };
    expect(issuesOf(TrainerResultFile, result({ signature: duplicate }))).toContain(
      'signature.inputs.1.name: duplicate name "a"',
    );
    expect(issuesOf(TrainerResultFile, result({ protocol: 2 }))).toContain('protocol');
  });
});

describe('the committed JSON Schemas', () => {
  it.each(TRAINER_PROTOCOL_SCHEMA_FILES)('docs/trainer-protocol/%s equals what the zod schemas generate', (file) => {
    const committed: unknown = JSON.parse(readFileSync(join(DOCS, file), 'utf8'));
    expect(committed, `run \`npm run docs:schemas\` to regenerate ${file}`).toEqual(trainerProtocolJsonSchemas()[file]);
  });

  it('say what the zod schemas say: a result without a model is refused, unknown fields are refused', () => {
    const schema = trainerProtocolJsonSchemas()['result.schema.json'];
    expect(schema.required).toEqual(['protocol', 'model', 'signature']);
    expect(schema.additionalProperties).toBe(false);
  });
});
