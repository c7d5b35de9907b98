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
 * A generation's ids are written out here, never derived: a patch added later must not join a generation already
 * recorded (runs recorded with its marker before the patch existed would replay as if they had taken it). A later
 * patch joins the next generation, which stands for every id of the one before and its own: a run started since
 * generation 2 records `slipway.patches.2` alone. `slipwayPatched` asks the newest generation first, so a run
 * recorded with an older generation's marker (or with one marker per patch, before generations) replays as it ran.
 * A test keeps every patch id of the workflow code in a generation or in `UNGENERATED_PATCHES`.
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

/** The marker a run started since generation 2 records once, for all of {@link PATCH_GENERATION_2_IDS}. */
export const PATCH_GENERATION_2 = 'slipway.patches.2';

/** Every patch id generation 2 stands for: generation 1's and the ones added since (frozen as generation 1 is). */
export const PATCH_GENERATION_2_IDS: ReadonlySet<string> = new Set([
  ...PATCH_GENERATION_1_IDS,
  'slipway.pipeline.model-tag-at-start',
]);

/** The marker of the newest generation: the one a run started today records. */
export const LATEST_PATCH_GENERATION = PATCH_GENERATION_2;

/** Patch ids added after generation 2 and not in a generation yet: each is recorded as its own marker. */
export const UNGENERATED_PATCHES: ReadonlySet<string> = new Set<string>();

/**
 * Whether this run takes the code behind patch `id`: true once the run has recorded the marker of a generation that
 * stands for `id` (the newest asked first); else `patched(id)`, for a run recorded before generations and for an id
 * outside them. While a run recorded with generation 1's marker replays, `patched()` answers false for generation
 * 2's marker (its history lacks it), so the run takes generation 1's answer, as it ran; once such a run goes on
 * live under today's code it records generation 2's marker too, and from there takes generation 2's ids.
 */
export function slipwayPatched(id: string): boolean {
  if (PATCH_GENERATION_2_IDS.has(id) && patched(PATCH_GENERATION_2)) return true;
  if (PATCH_GENERATION_1_IDS.has(id) && patched(PATCH_GENERATION_1)) return true;
  return patched(id);
}
