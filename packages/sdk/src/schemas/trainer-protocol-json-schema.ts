import { z } from 'zod';
import { TrainerInputFile, TrainerResultFile, TrainerStdoutMessage } from './trainer-protocol.js';

/** The JSON Schema files of the trainer protocol, by file name (as committed under `docs/trainer-protocol/`). */
export const TRAINER_PROTOCOL_SCHEMA_FILES = [
  'input.schema.json',
  'stdout-line.schema.json',
  'result.schema.json',
] as const;
/** The name of one JSON Schema file of the trainer protocol. */
export type TrainerProtocolSchemaFile = (typeof TRAINER_PROTOCOL_SCHEMA_FILES)[number];

const SOURCES: Record<TrainerProtocolSchemaFile, { schema: z.ZodType; title: string; description: string }> = {
  'input.schema.json': {
    schema: TrainerInputFile,
    title: 'Slipway trainer protocol v1: input.json',
    description:
      'What the worker asks a trainer process to do; the path is in SLIPWAY_TRAINER_INPUT. Paths are absolute.',
  },
  'stdout-line.schema.json': {
    schema: TrainerStdoutMessage,
    title: 'Slipway trainer protocol v1: one stdout line',
    description:
      'One protocol message a line on the trainer stdout. Lines that are not JSON objects of these types are kept as log lines.',
  },
  'result.schema.json': {
    schema: TrainerResultFile,
    title: 'Slipway trainer protocol v1: <outputDir>/result.json',
    description: 'The model a trainer produced; required on exit 0. Unknown top-level fields are refused.',
  },
};

/**
 * The JSON Schemas of the trainer protocol's files, generated from the zod schemas (the one definition): the
 * shape a trainer reads (`input.json`) and writes (stdout lines, `result.json`). `npm run docs:schemas` writes them
 * to `docs/trainer-protocol/`; a unit test fails when the committed files differ.
 */
export function trainerProtocolJsonSchemas(): Record<TrainerProtocolSchemaFile, Record<string, unknown>> {
  const schemas = {} as Record<TrainerProtocolSchemaFile, Record<string, unknown>>;
  for (const file of TRAINER_PROTOCOL_SCHEMA_FILES) {
    const { schema, title, description } = SOURCES[file];
    // input.json is what the worker writes (every default applied); the others are what a trainer may write.
    const io = file === 'input.schema.json' ? 'output' : 'input';
    const { $schema, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'throw' }) as Record<string, unknown>;
    schemas[file] = { $schema, title, description, ...rest };
  }
  return schemas;
}
