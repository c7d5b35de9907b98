/**
 * The model server's durable state, `<home>/serving/state.json`: per model, the current deployment, the
 * deployments before it (for rollback) and the rolled-back ones (so a repeated rollback gives the same answer).
 * Written atomically (temp file, fsync, rename), so a crash leaves either the old or the new file.
 */
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { dirname } from 'node:path';
import { ArtifactRef, describeIssues } from '@slipway/sdk';
import { z } from 'zod';

/** How many earlier deployments each model keeps for rollback. */
export const MAX_HISTORY = 20;
/** How many rolled-back deployments each model remembers for idempotent replays. */
export const MAX_ROLLED_BACK = 50;

const Served = z.object({ version: z.number().int().positive(), deploymentId: z.string().min(1) });

/** One deployment of a model version. */
export const DeploymentEntry = z.object({
  deploymentId: z.string().min(1),
  version: z.number().int().positive(),
  artifact: ArtifactRef,
  deployedAt: z.string(),
  /** What served before this deployment was made. */
  previous: Served.nullable(),
});
/** One deployment of a model version. */
export type DeploymentEntry = z.infer<typeof DeploymentEntry>;

/** A deployment that was rolled back, and what was restored in its place. */
export const RolledBackEntry = z.object({
  deploymentId: z.string().min(1),
  version: z.number().int().positive(),
  rolledBackAt: z.string(),
  restored: Served.nullable(),
});
/** A rolled-back deployment. */
export type RolledBackEntry = z.infer<typeof RolledBackEntry>;

/** The serving state of one model. */
export const ModelServingState = z.object({
  current: DeploymentEntry.nullable(),
  /** Earlier deployments, oldest first; the last one is restored by a rollback. */
  history: z.array(DeploymentEntry),
  /** Rolled-back deployments, oldest first. */
  rolledBack: z.array(RolledBackEntry),
});
/** The serving state of one model. */
export type ModelServingState = z.infer<typeof ModelServingState>;

/** The whole file. */
export const ServingState = z.object({
  format: z.literal(1),
  models: z.record(z.string(), ModelServingState),
});
/** The whole serving state file. */
export type ServingState = z.infer<typeof ServingState>;

/** An empty state. */
export function emptyServingState(): ServingState {
  return { format: 1, models: {} };
}

/**
 * Reads the state file; a missing file is an empty state.
 *
 * @throws Error naming the file when it is not valid JSON or not a serving state.
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

/** The state after `entry` became current: the old current moves to the history. */
export function withDeployment(state: ModelServingState | undefined, entry: DeploymentEntry): ModelServingState {
  const history = state?.history ?? [];
  return {
    current: entry,
    history: state?.current ? [...history, state.current].slice(-MAX_HISTORY) : history,
    rolledBack: state?.rolledBack ?? [],
  };
}

/** The state after the current deployment was rolled back to the last one in the history (or to nothing). */
export function withRollback(state: ModelServingState, rolledBackAt: string): ModelServingState {
  const current = state.current;
  if (!current) throw new Error('withRollback: there is no current deployment to roll back');
  const restored = state.history.at(-1) ?? null;
  const entry: RolledBackEntry = {
    deploymentId: current.deploymentId,
    version: current.version,
    rolledBackAt,
    restored: restored ? { version: restored.version, deploymentId: restored.deploymentId } : null,
  };
  return {
    current: restored,
    history: state.history.slice(0, -1),
    rolledBack: [...state.rolledBack, entry].slice(-MAX_ROLLED_BACK),
  };
}
