/**
 * A probe of Slipway's workflow module sharing: which module records a run holds, whether a schema object of the
 * SDK is the one an earlier run saw (it marks it), and whether its own module was evaluated for this run alone.
 */
import { DatasetRef } from '@slipway/sdk';
import { workflowInfo } from '@temporalio/workflow';

/** How many times this module was evaluated in this run's module cache (1: per run). */
let evaluations = 0;
evaluations++;

/** What a probe run saw. */
export interface SharingProbe {
  /** This module's evaluations in this run's module cache. */
  evaluations: number;
  /** The workflow id of the earlier run that marked the shared schema, if one did. */
  markedBy: string | null;
  /** The ids of the modules this run's module cache holds once it started. */
  cachedModules: string[];
  /** Whether the shared schema still parses a good value and refuses a bad one, naming the field. */
  parsesGood: boolean;
  refusal: string | null;
}

export function sharingProbe(): Promise<SharingProbe> {
  const schema = DatasetRef as unknown as { __markedBy?: string };
  const markedBy = schema.__markedBy ?? null;
  schema.__markedBy = workflowInfo().workflowId;
  const activator = (globalThis as { __TEMPORAL_ACTIVATOR__?: { moduleCache?: Map<string, unknown> } })
    .__TEMPORAL_ACTIVATOR__;
  const good = DatasetRef.safeParse({ uri: 'file:///data/a.csv', digest: `sha256:${'a'.repeat(64)}`, size: 1 });
  const bad = DatasetRef.safeParse({ uri: 'file:///data/a.csv', digest: 'md5:abc', size: 1 });
  return Promise.resolve({
    evaluations,
    markedBy,
    cachedModules: [...(activator?.moduleCache?.keys() ?? [])],
    parsesGood: good.success,
    refusal: bad.success ? null : (bad.error.issues[0]?.path.join('.') ?? ''),
  });
}
