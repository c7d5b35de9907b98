/**
 * A trainer process's checkpoints across attempts and hosts: each checkpoint file the trainer announces is stored
 * in the artifact store, and the heartbeat carries its reference (`{ uri, digest, step, name }`); a retry, on any
 * host, reads it back (digest verified) into a local file to pass on as `resumeFrom`.
 */
import { writeFile, mkdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { z } from 'zod';
import type { ArtifactStore } from '../ports.js';
import { checkpointFromDetails } from './training-data.js';

/** A stored checkpoint of a trainer process, as heartbeats carry it. */
export const StoredProcessCheckpoint = z.object({
  uri: z.string().min(1),
  digest: z.string().regex(/^sha256:[0-9a-f]{64}$/),
  /** The step the trainer announced with it. */
  step: z.number().int().min(0),
  /** The file's name in the trainer's working directory (its extension tells the trainer its format). */
  name: z.string().min(1).max(255),
});
/** A stored checkpoint of a trainer process, as heartbeats carry it. */
export type StoredProcessCheckpoint = z.infer<typeof StoredProcessCheckpoint>;

const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/;
const EXTENSION = /(\.[A-Za-z0-9]{1,16}){1,3}$/;

/** The checkpoint file's name as stored: its base name when it is a plain file name, else `checkpoint`. */
function checkpointName(path: string): string {
  const name = basename(path);
  return SAFE_NAME.test(name) ? name : 'checkpoint';
}

/** Stores a checkpoint file (streaming) under its own extension, and returns what the heartbeat carries. */
export async function storeProcessCheckpoint(
  artifacts: ArtifactStore,
  path: string,
  step: number,
): Promise<StoredProcessCheckpoint> {
  const name = checkpointName(path);
  const extension = EXTENSION.exec(name)?.[0];
  const ref = await artifacts.putFile(path, extension === undefined ? {} : { extension });
  return { uri: ref.uri, digest: ref.digest, step, name };
}

/**
 * The checkpoint a previous attempt's last heartbeat carried, read back from the artifact store (digest verified:
 * a mismatch is a `SlipwayDigestMismatch`) into `<dir>/<name>`; undefined when there is none (a first attempt, or
 * details that hold no process checkpoint, such as a built-in trainer's).
 */
export async function restoreProcessCheckpoint(
  artifacts: ArtifactStore,
  heartbeatDetails: unknown,
  dir: string,
): Promise<{ path: string; step: number; stored: StoredProcessCheckpoint } | undefined> {
  const parsed = StoredProcessCheckpoint.safeParse(checkpointFromDetails(heartbeatDetails));
  if (!parsed.success) return undefined;
  const stored = parsed.data;
  const bytes = await artifacts.getBytes(stored);
  await mkdir(dir, { recursive: true });
  const path = join(dir, checkpointName(stored.name));
  await writeFile(path, bytes);
  return { path, step: stored.step, stored };
}
