/**
 * The model server's state file as Slipway wrote it before deploys were staged (format 1): per model one
 * `current` deployment, its history and the rolled-back ones. Read only to migrate it to format 2.
 */
import { ArtifactRef } from '@slipway/sdk';
import { z } from 'zod';

const Served = z.object({ version: z.number().int().positive(), deploymentId: z.string().min(1) });

const DeploymentEntryV1 = z.object({
  deploymentId: z.string().min(1),
  version: z.number().int().positive(),
  artifact: ArtifactRef,
  deployedAt: z.string(),
  previous: Served.nullable(),
});

const RolledBackEntryV1 = z.object({
  deploymentId: z.string().min(1),
  version: z.number().int().positive(),
  rolledBackAt: z.string(),
  restored: Served.nullable(),
});

/** A format 1 state file. */
export const ServingStateV1 = z.object({
  format: z.literal(1),
  models: z.record(
    z.string(),
    z.object({
      current: DeploymentEntryV1.nullable(),
      history: z.array(DeploymentEntryV1),
      rolledBack: z.array(RolledBackEntryV1),
    }),
  ),
});
/** A format 1 state file. */
export type ServingStateV1 = z.infer<typeof ServingStateV1>;

/** The format 2 state of a format 1 file: `current` becomes `stable`; nothing is staged, no candidate. */
export function migrateServingStateV1(v1: ServingStateV1) {
  const models: Record<string, ReturnType<typeof migrateModel>> = {};
  for (const [model, state] of Object.entries(v1.models)) models[model] = migrateModel(state);
  return { format: 2 as const, models };
}

function migrateModel(state: ServingStateV1['models'][string]) {
  return {
    stable: state.current,
    candidate: null,
    staged: null,
    weights: { stable: 100, candidate: 0 },
    mode: 'split' as const,
    history: state.history,
    rolledBack: state.rolledBack,
    ended: [] as never[],
  };
}
