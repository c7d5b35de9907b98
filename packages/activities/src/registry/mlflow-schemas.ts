import { z } from 'zod';
import { finalFailure } from '@slipway/sdk';
import { MlflowFailureType } from './mlflow-client.js';

// The parts of MLflow's REST answers the adapter reads. Unknown fields are ignored, missing lists default to
// empty (MLflow leaves out empty repeated fields), and int64 fields are accepted as numbers or strings.

const Int64 = z.union([z.number(), z.string()]).transform(Number);
const Tag = z.object({ key: z.string(), value: z.string().default('') });

/** An MLflow model version. */
export const MlflowModelVersion = z.object({
  name: z.string(),
  version: z.union([z.string(), z.number()]).transform(Number),
  creation_timestamp: Int64,
  source: z.string().default(''),
  run_id: z.string().default(''),
  tags: z.array(Tag).default([]),
  aliases: z.array(z.string()).default([]),
});
/** An MLflow model version. */
export type MlflowModelVersion = z.infer<typeof MlflowModelVersion>;

/** An MLflow registered model (only what the adapter reads). */
export const MlflowRegisteredModel = z.object({
  name: z.string(),
  aliases: z
    .array(z.object({ alias: z.string(), version: z.union([z.string(), z.number()]).transform(Number) }))
    .default([]),
});
/** An MLflow registered model. */
export type MlflowRegisteredModel = z.infer<typeof MlflowRegisteredModel>;

const Metric = z.object({
  key: z.string(),
  value: z.union([z.number(), z.string()]).transform(Number),
  timestamp: Int64.default(0),
  step: Int64.default(0),
});
/** One logged metric value. */
export type MlflowMetric = z.infer<typeof Metric>;

/** An MLflow run. */
export const MlflowRun = z.object({
  info: z.object({
    run_id: z.string(),
    experiment_id: z.string(),
    run_name: z.string().default(''),
    status: z.string(),
    start_time: Int64.optional(),
    end_time: Int64.optional(),
  }),
  data: z
    .object({
      metrics: z.array(Metric).default([]),
      params: z.array(Tag).default([]),
      tags: z.array(Tag).default([]),
    })
    .default({ metrics: [], params: [], tags: [] }),
});
/** An MLflow run. */
export type MlflowRun = z.infer<typeof MlflowRun>;

/** An MLflow experiment. */
export const MlflowExperiment = z.object({
  experiment_id: z.string(),
  name: z.string(),
  tags: z.array(Tag).default([]),
});

const PageToken = z.string().optional();

/** Answers, by endpoint. */
export const MlflowAnswer = {
  modelVersion: z.object({ model_version: MlflowModelVersion }),
  modelVersions: z.object({ model_versions: z.array(MlflowModelVersion).default([]), next_page_token: PageToken }),
  registeredModel: z.object({ registered_model: MlflowRegisteredModel }),
  run: z.object({ run: MlflowRun }),
  runs: z.object({ runs: z.array(MlflowRun).default([]), next_page_token: PageToken }),
  experiment: z.object({ experiment: MlflowExperiment }),
  experiments: z.object({ experiments: z.array(MlflowExperiment).default([]), next_page_token: PageToken }),
  createdExperiment: z.object({ experiment_id: z.string() }),
  metricHistory: z.object({ metrics: z.array(Metric).default([]), next_page_token: PageToken }),
} as const;

/** Parses an answer with one of {@link MlflowAnswer}'s schemas; a mismatch is a final `BadResponse` failure. */
export function parseAnswer<S extends z.ZodType>(schema: S, answer: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(answer);
  if (parsed.success) return parsed.data;
  throw finalFailure(
    MlflowFailureType.BadResponse,
    `The MLflow server's answer to ${what} is not what MLflow sends: ${parsed.error.issues
      .slice(0, 3)
      .map((i) => `${i.path.join('.')}: ${i.message}`)
      .join('; ')}`,
  );
}

/** Tags as a map. */
export function tagMap(tags: readonly { key: string; value: string }[]): Map<string, string> {
  return new Map(tags.map((tag) => [tag.key, tag.value]));
}
