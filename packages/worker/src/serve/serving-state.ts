/**
 * The model server's durable state, `<home>/serving/state.json` (format 2). Per model:
 * `{ stable, candidate, staged, weights, mode }` — `stable` serves; `staged` is loaded for its smoke check and serves
 * nothing; `candidate`, `weights` and `mode` are the rollout's traffic split (the candidate answers, or in `shadow`
 * mode scores a copy of, `weights.candidate` percent of the requests; restored at a restart) — plus the
 * bookkeeping rollback and idempotent replays need: earlier stable deployments (`history`), rolled-back ones
 * (`rolledBack`, including aborted candidates) and staged ones that ended without serving (`ended`).
 *
 * A format 1 file (one `current` deployment per model) is read and migrated in memory; it is rewritten as format 2
 * on the next change. Written atomically (temp file, fsync, rename), so a crash leaves either the old or the new file.
 */
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { dirname } from 'node:path';
import { ArtifactRef, TrafficMode, TrafficWeights, describeIssues } from '@slipway/sdk';
import { z } from 'zod';
import { ServingStateV1, migrateServingStateV1 } from './serving-state-v1.js';

/** How many earlier deployments each model keeps for rollback. */
export const MAX_HISTORY = 20;
/** How many rolled-back deployments each model remembers for idempotent replays. */
export const MAX_ROLLED_BACK = 50;
/** How many ended (abandoned or discarded) staged deployments each model remembers. */
export const MAX_ENDED = 50;

/** The format this server writes. */
export const SERVING_STATE_FORMAT = 2;

const Served = z.object({ version: z.number().int().positive(), deploymentId: z.string().min(1) });

/** A committed deployment of a model version (stable, candidate, or in the history). */
export const DeploymentEntry = z.object({
  deploymentId: z.string().min(1),
  version: z.number().int().positive(),
  artifact: ArtifactRef,
  /** When it was staged; absent for deployments made before staging existed (format 1). */
  stagedAt: z.string().optional(),
  /** When it was committed. */
  deployedAt: z.string(),
  /** What served before this deployment was committed. */
  previous: Served.nullable(),
});
/** A committed deployment. */
export type DeploymentEntry = z.infer<typeof DeploymentEntry>;

/** A staged deployment: loaded, smoke-checkable, serving no traffic. */
export const StagedEntry = z.object({
  deploymentId: z.string().min(1),
  version: z.number().int().positive(),
  artifact: ArtifactRef,
  stagedAt: z.string(),
});
/** A staged deployment. */
export type StagedEntry = z.infer<typeof StagedEntry>;

/** A staged deployment that ended without serving, and when and why. */
export const EndedEntry = StagedEntry.extend({
  endedAt: z.string(),
  outcome: z.enum(['abandoned', 'discarded']),
  reason: z.string(),
});
/** A staged deployment that ended without serving. */
export type EndedEntry = z.infer<typeof EndedEntry>;

/** A deployment that was rolled back, and what was restored in its place. */
export const RolledBackEntry = z.object({
  deploymentId: z.string().min(1),
  version: z.number().int().positive(),
  rolledBackAt: z.string(),
  restored: Served.nullable(),
  /** Why it was rolled back: given for an aborted candidate; absent for a rollback of the stable deployment. */
  reason: z.string().optional(),
});
/** A rolled-back deployment. */
export type RolledBackEntry = z.infer<typeof RolledBackEntry>;

/** The serving state of one model. */
export const ModelServingState = z
  .object({
    /** The committed deployment that serves. */
    stable: DeploymentEntry.nullable(),
    /** The rollout's version under test: it gets `weights.candidate` percent of the traffic, as `mode` says. */
    candidate: DeploymentEntry.nullable(),
    /** Loaded for its smoke check; serves nothing until committed. */
    staged: StagedEntry.nullable(),
    weights: TrafficWeights,
    /** How the candidate gets its share (absent in files written before traffic splits: `split`). */
    mode: TrafficMode.default('split'),
    /** Earlier stable deployments, oldest first; the last one is restored by a rollback. */
    history: z.array(DeploymentEntry),
    /** Rolled-back deployments, oldest first. */
    rolledBack: z.array(RolledBackEntry),
    /** Staged deployments that ended without serving, oldest first. */
    ended: z.array(EndedEntry),
  })
  .superRefine((model, ctx) => {
    if (model.weights.candidate > 0 && !model.candidate) {
      ctx.addIssue({ code: 'custom', path: ['weights', 'candidate'], message: 'a candidate weight needs a candidate' });
    }
    if (model.mode === 'shadow' && !model.candidate) {
      ctx.addIssue({ code: 'custom', path: ['mode'], message: 'shadow traffic needs a candidate' });
    }
    const ids = [model.stable, model.candidate, model.staged].flatMap((e) => (e ? [e.deploymentId] : []));
    if (new Set(ids).size !== ids.length) {
      ctx.addIssue({ code: 'custom', message: 'stable, candidate and staged must be different deployments' });
    }
  });
/** The serving state of one model. */
export type ModelServingState = z.infer<typeof ModelServingState>;

/** The whole file. */
export const ServingState = z.object({
  format: z.literal(SERVING_STATE_FORMAT),
  models: z.record(z.string(), ModelServingState),
});
/** The whole serving state file. */
export type ServingState = z.infer<typeof ServingState>;

/** An empty state. */
export function emptyServingState(): ServingState {
  return { format: SERVING_STATE_FORMAT, models: {} };
}

/** The state of a model that has never been deployed. */
export function emptyModelState(): ModelServingState {
  return {
    stable: null,
    candidate: null,
    staged: null,
    weights: { stable: 100, candidate: 0 },
    mode: 'split',
    history: [],
    rolledBack: [],
    ended: [],
  };
}

/**
 * Reads the state file; a missing file is an empty state, a format 1 file is migrated.
 *
 * @throws Error naming the file when it is not valid JSON, not a serving state, or of an unknown format.
 */
export async function loadServingState(path: string): Promise<ServingState> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return emptyServingState();
    throw err;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`Model server state ${path} is not valid JSON: ${(err as Error).message}`);
  }
  const format = (json as { format?: unknown } | null)?.format;
  if (format === 1) {
    const v1 = ServingStateV1.safeParse(json);
    if (!v1.success)
      throw new Error(`Model server state ${path} is not a format 1 serving state: ${describeIssues(v1.error)}`);
    return migrateServingStateV1(v1.data);
  }
  if (format !== SERVING_STATE_FORMAT) {
    throw new Error(
      `Model server state ${path} has format ${JSON.stringify(format)}; this server reads formats 1 and ${SERVING_STATE_FORMAT}` +
        ' (a newer Slipway may have written it)',
    );
  }
  const parsed = ServingState.safeParse(json);
  if (!parsed.success) {
    throw new Error(`Model server state ${path} is not a serving state: ${describeIssues(parsed.error)}`);
  }
  return parsed.data;
}

/** Writes the state file atomically: a temp file next to it, fsync, then rename over it. */
export async function saveServingState(path: string, state: ServingState): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const handle = await open(temp, 'w');
  try {
    await handle.writeFile(JSON.stringify(state, null, 2) + '\n', 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temp, path);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}
