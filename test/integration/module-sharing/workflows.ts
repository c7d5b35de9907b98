/**
 * A probe of Slipway's workflow module sharing: which module records a run holds, whether a schema object of the
 * SDK is the one an earlier run saw (it marks it), whether its own module was evaluated for this run alone, and
 * where the sandbox verifies Ed25519 signatures.
 */
import { DatasetRef, ed25519Engine, verifyBytes } from '@slipway/sdk';
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
  /** Where this run verifies Ed25519 signatures, and its verdicts on RFC 8032's TEST 1 and on it tampered. */
  ed25519: { engine: string; valid: boolean; tampered: boolean };
}

/** RFC 8032, section 7.1, TEST 1 (empty message), in Slipway's key and signature formats. */
const TEST_1 = {
  publicKey: 'ed25519:11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo',
  signature: '5VZDAMNgrHKQhuLMgG6CioSHfx645dl02HPgZSJJAVVfuIIVkKM7rMYeOXAc-bRr0lv18FlbviRlUUFDjnoQCw',
};

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
    ed25519: {
      engine: ed25519Engine(),
      valid: verifyBytes(TEST_1.publicKey, new Uint8Array(0), TEST_1.signature),
      tampered: verifyBytes(TEST_1.publicKey, Uint8Array.of(0), TEST_1.signature),
    },
  });
}
