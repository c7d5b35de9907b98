/**
 * Slipway's workflow versioning: `slipwayPatched(id)` in place of Temporal's `patched(id)` for Slipway's own patch
 * ids (`GatePatch`, `PromotionPatch`, `RolloutPatch`, `RetrainPatch`).
 *
 * Temporal records a marker for every patch id a new run reaches, and with each marker upserts the
 * `TemporalChangeVersion` search attribute: a run of `trainAndPromote` recorded four markers and four upserts (eight
 * of its 85 events, four visibility updates) to say that it runs today's code. A run started since patch generation
 * 1 records one marker instead, `slipway.patches.1`, which stands for every id of the generation. A run recorded
 * before it has no generation marker, and takes each id from its own marker, as it ran.
 *
 * The generation's ids are written out here, never derived: a patch added later must not join generation 1 (runs
 * recorded with the generation marker before it existed would replay as if they had taken it). A later patch is
 * called through `slipwayPatched` like the others and recorded as its own marker until a generation 2 covers it;
 * a test keeps every patch id of the workflow code in a generation or in `UNGENERATED_PATCHES`.
 */
import { patched } from '@temporalio/workflow';

/** The marker a run started since generation 1 records once, for all of {@link PATCH_GENERATION_1_IDS}. */
export const PATCH_GENERATION_1 = 'slipway.patches.1';

/** Every patch id generation 1 stands for (frozen: see the module's documentation). */
export const PATCH_GENERATION_1_IDS: ReadonlySet<string> = new Set([
  'slipway.gate.check-directory',
  'slipway.gate.resolve-approvers',
  'slipway.gate.refuse-declared-groups',
  'slipway.start.verify-signature',
  'slipway.gate.signed-decisions',
  'slipway.gate.metric-goals',
  'slipway.gate.listing-memo',
  'slipway.gate.notify',
  'slipway.gate.escalation',
  'slipway.promotion.rollout-child',
  'slipway.promotion.deploy-waits',
  'slipway.rollout.retire',
  'slipway.rollout.first-version',
  'slipway.retrain.gate-notify',
]);

/** Patch ids added after generation 1 and not in a generation yet: each is recorded as its own marker. */
export const UNGENERATED_PATCHES: ReadonlySet<string> = new Set<string>();

/**
 * Whether this run takes the code behind patch `id`: `patched(id)` for a run recorded before generation 1 (and for
 * an id outside it), else true once the run has recorded the generation's one marker.
 */
export function slipwayPatched(id: string): boolean {
  if (PATCH_GENERATION_1_IDS.has(id) && patched(PATCH_GENERATION_1)) return true;
  return patched(id);
}
